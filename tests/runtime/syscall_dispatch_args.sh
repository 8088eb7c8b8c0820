#!/bin/sh
# syscall_dispatch_args.sh - the same script on syscall tracepoints through
# their own perf events (a few probes: the default) and through the
# raw_syscalls dispatchers (EBPFQ_SYSCALL_DISPATCH_MIN=1) must print the
# same: args->FIELD of every width, argN, retval, __syscall_nr on entry and
# exit, two probes on one call (two dispatchers), kretprobe:sys_ on its
# tracepoint.
prog='tracepoint:syscalls:sys_enter_openat /comm == "openers"/ {
	printf("openat dfd=%d file=%s flags=%d mode=%d nr=%d arg1=%d\n", args->dfd,
	       str(args->filename), args->flags, args->mode, args->__syscall_nr, arg1 == args->filename); }
tracepoint:syscalls:sys_enter_openat /comm == "openers"/ { @opens = count(); }
tracepoint:syscalls:sys_exit_openat /comm == "openers"/ {
	printf("openat ret=%d nr=%d retval=%d\n", args->ret, args->__syscall_nr, retval); }
tracepoint:syscalls:sys_enter_close /comm == "openers"/ { printf("close fd=%d\n", args->fd); }
kretprobe:sys_close /comm == "openers"/ { printf("close ret=%d\n", retval); }'
"$EBPFQ" -e "$prog" -c "$WORK/openers 3" >"$WORK/args.perf" 2>&1
EBPFQ_SYSCALL_DISPATCH_MIN=1 "$EBPFQ" -v -e "$prog" -c "$WORK/openers 3" >"$WORK/args.dispatched" 2>"$WORK/args.err"
echo "dispatchers $(grep -c 'dispatch_e.*attaches to raw tracepoint' "$WORK/args.err")"
if cmp -s "$WORK/args.perf" "$WORK/args.dispatched"; then
	echo same
else
	diff "$WORK/args.perf" "$WORK/args.dispatched"
fi
cat "$WORK/args.dispatched"
