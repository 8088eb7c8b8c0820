#!/bin/sh
# watch_pid.sh - a watchpoint on an address a running process printed (-p):
# set in each of its threads, so the writes of its second thread, which
# exists before ebpfq starts, count too (bpftrace 0.17 watched only the
# main thread).  The process waits for SIGUSR1 until every probe is
# attached; its call of done() ends the trace.
"$WORK/watchwork" wait >"$WORK/watch_pid.addr" &
work=$!
n=0
until [ -s "$WORK/watch_pid.addr" ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
addr=$(cat "$WORK/watch_pid.addr")
out=$WORK/watch_pid.out
"$EBPFQ" -p $work -e "watchpoint:$addr:8:w { @[tid == $work ? \"main\" : \"thread\"] = count(); }
	uprobe:$WORK/watchwork:done { exit(); }" >"$out" 2>"$WORK/watch_pid.err" &
pid=$!
n=0 # wait until every probe is attached
until grep -q '^Attaching' "$out" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -USR1 $work
wait $pid
echo "status $?"
wait $work
cat "$out" "$WORK/watch_pid.err"
