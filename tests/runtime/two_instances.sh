#!/bin/sh
# two_instances.sh - two ebpfq running the same script at the same time
# keep their own maps and programs: both count a first workload; the first
# one stops; only the second counts a second workload, and its own stop
# leaves nothing loaded.
script='tracepoint:syscalls:sys_enter_getppid /comm == "getppid_loop"/ { @calls = count(); }'
start() { # name
	env --default-signal=INT "$EBPFQ" -e "$script" >"$WORK/$1.out" 2>"$WORK/$1.err" &
}
attached() { # name
	n=0
	until grep -q '^Attaching' "$WORK/$1.out" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
}
start first; first=$!
start second; second=$!
attached first; attached second
"$WORK/getppid_loop" 3000
kill -INT $first; wait $first; echo "first: status $?"
sed 's/^/first: /' "$WORK/first.out" "$WORK/first.err"
"$WORK/getppid_loop" 500
kill -INT $second; wait $second; echo "second: status $?"
sed 's/^/second: /' "$WORK/second.out" "$WORK/second.err"
