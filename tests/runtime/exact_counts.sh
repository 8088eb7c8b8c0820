#!/bin/sh
# exact_counts.sh - two processes making 200,000 getppid calls each, at
# the same time (on different CPUs where there are several), counted with
# count() and sum(1) filtered on their comm: per-CPU aggregations summed in
# user space must lose nothing and count nothing twice.
out=$WORK/exact.out
env --default-signal=INT "$EBPFQ" \
	-e 'tracepoint:syscalls:sys_enter_getppid /comm == "getppid_loop"/ { @ = count(); @s = sum(1); }' \
	>"$out" 2>"$WORK/exact.err" &
pid=$!
n=0 # wait until every probe is attached
until grep -q '^Attaching' "$out" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
"$WORK/getppid_loop" 200000 & a=$!
"$WORK/getppid_loop" 200000 & b=$!
wait $a $b
kill -INT $pid
wait $pid
echo "status $?"
cat "$out" "$WORK/exact.err"
