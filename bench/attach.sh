#!/bin/sh
# bench/attach.sh - how long attaching and detaching hundreds of syscall
# tracepoints takes, ebpfq against bpftrace in the same run.  A benchmark,
# not a test: run by hand, as root.
#   sh bench/attach.sh [path/to/ebpfq]
# Each program attaches every match, then exits at once (BEGIN { exit(); }),
# so the time is compile + attach + detach.  A second figure is Ctrl-C: from
# SIGINT to the process gone, with the maps printed.
EBPFQ=${1:-./ebpfq}
ENTER='tracepoint:syscalls:sys_enter_* { @[probe] = count(); }'
BOTH='tracepoint:syscalls:sys_enter_*,tracepoint:syscalls:sys_exit_* { @[probe] = count(); }'
ms() { echo $(( ($2 - $1) / 1000000 )); }
best_of() { # runs command...: the best wall time in ms
	runs=$1; shift
	best=""
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		t=$(ms "$t0" "$t1")
		{ [ -z "$best" ] || [ "$t" -lt "$best" ]; } && best=$t
		i=$((i + 1))
	done
	echo "$best"
}
# Ctrl-C: start, wait for the attach (stdout says so), SIGINT, time the exit.
sigint() { # command...
	out=$(mktemp)
	env --default-signal=INT "$@" >"$out" 2>&1 &
	pid=$!
	n=0
	until grep -q '^Attaching' "$out" || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
	sleep 0.5
	t0=$(date +%s%N)
	kill -INT $pid
	wait $pid
	t1=$(date +%s%N)
	rm -f "$out"
	ms "$t0" "$t1"
}
n_enter=$(ls -d /sys/kernel/tracing/events/syscalls/sys_enter_* | wc -l)
n_both=$(ls -d /sys/kernel/tracing/events/syscalls/sys_e*_* | wc -l)
have_bpftrace=$(command -v bpftrace)
# bpftrace refuses more than 512 programs or probes unless told
BPFTRACE="env BPFTRACE_MAX_BPF_PROGS=2048 BPFTRACE_MAX_PROBES=2048 bpftrace"
report() { # label ebpfq-ms bpftrace-ms
	echo "$1: ebpfq $2 ms${3:+, bpftrace $3 ms, bpftrace / ebpfq = $(echo "scale=1; $3 / ($2 + 1)" | bc)}"
}
e=$(best_of 3 "$EBPFQ" -q -e "$ENTER BEGIN { exit(); }")
b=${have_bpftrace:+$(best_of 1 $BPFTRACE -e "$ENTER BEGIN { exit(); }")}
report "$n_enter tracepoints, attach + detach (best of 3 for ebpfq)" "$e" "$b"
e=$(best_of 3 "$EBPFQ" -q -e "$BOTH BEGIN { exit(); }")
b=${have_bpftrace:+$(best_of 1 $BPFTRACE -e "$BOTH BEGIN { exit(); }")}
report "$n_both tracepoints, attach + detach" "$e" "$b"
e=$(sigint "$EBPFQ" -e "$BOTH")
b=${have_bpftrace:+$(sigint $BPFTRACE -e "$BOTH")}
report "$n_both tracepoints, Ctrl-C to exit" "$e" "$b"
