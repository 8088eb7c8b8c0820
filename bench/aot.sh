#!/bin/sh
# bench/aot.sh - what compiling ahead of time saves: the same programs run
# with `ebpfq -e` (compile, load, attach, exit), `ebpfq run FILE.o` and
# `ebpfq-run FILE.o` (read the object, load, attach, exit), and the objects'
# sizes.  A benchmark to run by hand (as root), not a test.
#   sudo bench/aot.sh [RUNS]       (EBPFQ=path/to/ebpfq; ebpfq-run beside it)
runs=${1:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
runner=$(dirname "$ebpfq")/ebpfq-run
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"

bench() { # name program
	"$ebpfq" --aot "$tmp/$1.o" -e "$2" || return
	size=$(wc -c <"$tmp/$1.o")
	set -- "$1" "$2" "$size"
	printf '%-10s object %6d bytes\n' "$1" "$3"
	printf '  %-26s %10s %14s\n' "" "wall (us)" "max RSS (KiB)"
	printf '  %-26s %10s %14s\n' "ebpfq --aot FILE.o -e" $(measure "$ebpfq" --aot "$tmp/x.o" -e "$2")
	# -n: load into the verifier and exit, no attach and detach (whose
	# grace periods dominate once there are tracepoints)
	printf '  %-26s %10s %14s\n' "ebpfq -n -e" $(measure "$ebpfq" -n -q -e "$2")
	printf '  %-26s %10s %14s\n' "ebpfq run -n FILE.o" $(measure "$ebpfq" run -n -q "$tmp/$1.o")
	[ -x "$runner" ] && printf '  %-26s %10s %14s\n' "ebpfq-run -n FILE.o" $(measure "$runner" -n -q "$tmp/$1.o")
	printf '  %-26s %10s %14s\n' "ebpfq -e" $(measure "$ebpfq" -q -e "$2")
	printf '  %-26s %10s %14s\n' "ebpfq run FILE.o" $(measure "$ebpfq" run -q "$tmp/$1.o")
	[ -x "$runner" ] && printf '  %-26s %10s %14s\n' "ebpfq-run FILE.o" $(measure "$runner" -q "$tmp/$1.o")
}

bench begin 'BEGIN { exit(); }'
bench syscount 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); @h = hist(args->id); }
	tracepoint:sched:sched_process_exec { printf("%s %d\n", comm, pid); } BEGIN { exit(); }'
# ten probes, maps of several kinds, printf and stacks
bench tenprobes 'tracepoint:syscalls:sys_enter_openat { @o[comm, str(args->filename)] = count(); }
	tracepoint:syscalls:sys_exit_openat /args->ret < 0/ { @err[comm] = count(); }
	tracepoint:syscalls:sys_enter_read { @rb = hist(args->count); }
	tracepoint:syscalls:sys_enter_write { @wb = lhist(args->count, 0, 4096, 256); }
	tracepoint:sched:sched_switch { @cs[cpu] = count(); }
	tracepoint:sched:sched_process_exec { printf("exec %s %d\n", comm, pid); }
	tracepoint:sched:sched_process_exit { @life = stats(nsecs); }
	profile:hz:99 { @k[kstack] = count(); }
	interval:s:1 { print(@cs); clear(@cs); }
	BEGIN { exit(); }'
# kernel struct members, read through CO-RE relocations: the object carries
# the structs they are in, which the runtime loads as BTF
bench core 'tracepoint:sched:sched_process_exec { printf("%s %d %s\n", curtask->comm,
		curtask->real_parent->tgid, curtask->real_parent->comm); @[curtask->cred->uid.val] = count(); }
	BEGIN { exit(); }'
