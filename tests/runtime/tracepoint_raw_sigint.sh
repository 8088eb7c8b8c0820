#!/bin/sh
# tracepoint_raw_sigint.sh - tracepoints that are not system calls, whose
# programs do not read the record, run as raw tracepoint programs: Ctrl-C
# detaches them at once, where each tracepoint's perf event would cost the
# kernel some 45 ms, one after the other (four seconds for these ~90).  A
# program that reads args keeps its perf event.  The same script with
# EBPFQ_NO_RAW_TRACEPOINTS=1 counts the same.  bench/exit.sh measures.
. ../orphans.sh
specs=$(for cat in sched irq timer workqueue signal task; do "$EBPFQ" -l "tracepoint:$cat:*"; done |
	grep -v -e sched_process_fork -e sched_process_exit | paste -sd, -)
script="$specs { @any = count(); }
tracepoint:sched:sched_process_fork /comm == \"forker\"/ { @forks = count(); }
tracepoint:sched:sched_process_fork /comm == \"forker\"/ { @parent[args->parent_pid == pid] = count(); }"
out=$WORK/tpraw.out
env --default-signal=INT "$EBPFQ" -v -e "$script" >"$out" 2>"$WORK/tpraw.err" &
pid=$!
n=0
until grep -q '^Attaching' "$out" || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
echo "perf events $(ls -l /proc/$pid/fd 2>/dev/null | grep -c 'perf_event')"
"$WORK/forker"
t0=$(date +%s%N)
kill -INT $pid
wait $pid
status=$?
t1=$(date +%s%N)
echo "status $status"
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -lt 1500 ] && echo "detached within 1.5 s" || echo "detached in $ms ms"
echo "raw $(grep -c 'as a raw tracepoint' "$WORK/tpraw.err")"
grep -E '^@(forks|parent)' "$out"
settled
echo "orphans $left_count"

# the same through perf events: the same counts
EBPFQ_NO_RAW_TRACEPOINTS=1 "$EBPFQ" -v -c "$WORK/forker" -e 'tracepoint:sched:sched_process_fork /comm == "forker"/ { @forks = count(); }
	tracepoint:sched:sched_process_fork /comm == "forker"/ { @parent[args->parent_pid == pid] = count(); }' >"$out" 2>"$WORK/tpraw.err"
echo "status $?"
echo "raw $(grep -c 'as a raw tracepoint' "$WORK/tpraw.err")"
grep -E '^@(forks|parent)' "$out"
settled
echo "orphans $left_count"
