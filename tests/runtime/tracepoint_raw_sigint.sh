#!/bin/sh
# tracepoint_raw_sigint.sh - tracepoints that are not system calls, whose
# programs do not read the record, run as raw tracepoint programs: Ctrl-C
# detaches them at once, where each tracepoint's perf event would cost the
# kernel some 45 ms, one after the other (four seconds for these ~90).  A
# program that reads args keeps its perf event.  The same script with
# EBPFQ_NO_RAW_TRACEPOINTS=1 counts the same.  bench/exit.sh measures.
. ../orphans.sh
. ./interrupt.sh
specs=$(for cat in sched irq timer workqueue signal task; do "$EBPFQ" -l "tracepoint:$cat:*"; done |
	grep -v -e sched_process_fork -e sched_process_exit | paste -sd, -)
script="$specs { @any = count(); }
tracepoint:sched:sched_process_fork /comm == \"forker\"/ { @forks = count(); }
tracepoint:sched:sched_process_fork /comm == \"forker\"/ { @parent[args->parent_pid == pid] = count(); }"
out=$WORK/tpraw.out
env --default-signal=INT "$EBPFQ" -v -e "$script" >"$out" 2>"$WORK/tpraw.err" &
pid=$!
wait_attached "$out"
echo "perf events $(perf_events $pid)"
"$WORK/forker"
interrupt_within $pid 1500 "1.5 s"
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
