#!/bin/sh
# scale_sigint.sh - every syscall tracepoint, entry and exit (some 700
# probes), then Ctrl-C: the maps are printed, the programs go, and the
# detach is quick because the syscall probes hang off two raw_syscalls
# dispatchers instead of 700 perf events (each of which costs the kernel
# tens of milliseconds to take down).  The bound is loose on purpose: a
# regression to perf events would take half a minute; bench/attach.sh
# measures.
. ../orphans.sh
. ./interrupt.sh
out=$WORK/sigint.out
env --default-signal=INT "$EBPFQ" \
	-e 'tracepoint:syscalls:sys_enter_* { @[probe] = count(); } tracepoint:syscalls:sys_exit_* { @x[probe] = count(); }' \
	>"$out" 2>"$WORK/sigint.err" &
pid=$!
wait_attached "$out"
echo "perf events $(perf_events $pid)"
interrupt_within $pid 5000 "5 s"
grep -c '^@\[tracepoint:syscalls:sys_enter_' "$out"
settled
echo "orphans $left_count"

# SIGKILL: no chance to detach; the kernel takes the dispatchers and the
# programs in their tables down with the process's descriptors.
"$EBPFQ" -q -e 'tracepoint:syscalls:sys_enter_* { @[probe] = count(); }' >/dev/null 2>&1 &
pid=$!
n=0
until [ "$(ls -l /proc/$pid/fd 2>/dev/null | grep -c bpf.link)" -gt 0 ] || [ $n -ge 300 ]; do
	sleep 0.1; n=$((n + 1))
done
echo "links $(ls -l /proc/$pid/fd 2>/dev/null | grep -c bpf.link)"
kill -KILL $pid
wait $pid
echo "status $?"
settled
echo "orphans after SIGKILL $left_count"
