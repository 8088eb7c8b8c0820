#!/bin/sh
# bench/attach.sh - how long attaching and detaching every syscall-entry
# tracepoint takes (several hundred programs), ebpfq against bpftrace in
# the same run.  A benchmark, not a test: run by hand, as root.
#   sh bench/attach.sh [path/to/ebpfq]
EBPFQ=${1:-./ebpfq}
PROG='tracepoint:syscalls:sys_enter_* { @[probe] = count(); } BEGIN { exit(); }'
ms() { echo $(( ($2 - $1) / 1000000 )); }
run() { # name command...
	name=$1; shift
	best=""
	for i in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		t=$(ms "$t0" "$t1")
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "$best"
}
n=$(ls -d /sys/kernel/tracing/events/syscalls/sys_enter_* | wc -l)
e=$(run ebpfq "$EBPFQ" -q -e "$PROG")
echo "ebpfq:    $n tracepoints attached, run, detached in $e ms (best of 3)"
if command -v bpftrace >/dev/null; then
	b=$(run bpftrace bpftrace -e "$PROG")
	echo "bpftrace: $n tracepoints attached, run, detached in $b ms (best of 3)"
	[ "$e" -gt 0 ] && echo "ratio:    bpftrace / ebpfq = $(echo "scale=1; $b / $e" | bc)"
fi
