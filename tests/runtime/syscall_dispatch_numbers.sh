#!/bin/sh
# syscall_dispatch_numbers.sh - the system calls whose numbers ebpfq does
# not read from its build's <asm/unistd.h> by the event's name (renamed
# ones like newuname, and calls newer than the headers): each probe run by
# the raw_syscalls dispatcher must fire exactly where its own perf event
# does, and see the number the kernel's record has.
events=$(ls /sys/kernel/tracing/events/syscalls | grep -E '^sys_enter_(new(uname|stat|lstat|fstat)|sendfile64|umount|cachestat|fchmodat2|futex_(wake|wait|requeue)|statmount|listmount|lsm_(get_self_attr|set_self_attr|list_modules)|mseal|(set|get|list|remove)xattrat|open_tree_attr|file_(get|set)attr|uprobe|uretprobe)$')
specs=$(for e in $events; do printf 'tracepoint:syscalls:%s,' "$e"; done | sed 's/,$//')
prog="$specs /comm == \"syscall_numbers\"/ { printf(\"%s %d\\n\", probe, args->__syscall_nr); }"
run() { # EBPFQ_SYSCALL_DISPATCH_MIN
	EBPFQ_SYSCALL_DISPATCH_MIN=$1 "$EBPFQ" -v -q -e "$prog" -c "$WORK/syscall_numbers" 2>"$WORK/numbers.err$1" |
		grep . | sort
}
run 1000 >"$WORK/numbers.perf"
run 1 >"$WORK/numbers.dispatched"
echo "events $(echo "$events" | wc -w)"
echo "perf events fired $(wc -l <"$WORK/numbers.perf")"
echo "dispatched $(grep -c 'run by the raw_syscalls:sys_enter dispatcher' "$WORK/numbers.err1")"
if cmp -s "$WORK/numbers.perf" "$WORK/numbers.dispatched"; then
	echo same
else
	diff "$WORK/numbers.perf" "$WORK/numbers.dispatched"
fi
