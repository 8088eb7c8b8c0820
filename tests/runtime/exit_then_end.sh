#!/bin/sh
# exit_then_end.sh - exit() ends the script's output where it is called:
# ebpfq is stopped (SIGSTOP) while the workload runs, so that every event
# of the run waits in the ring buffer, in order: f(1), f(2), f(3) (which
# calls exit()), f(4), f(5), g(2), g(2).  Continued, ebpfq must show the
# first three printfs only, end by itself, run END (whose printf shows) and
# print the maps after it: @f and @g count every call, so the events that
# were not shown did happen (exit_then_end.ebq).
. ./driver.sh
trace exit_then_end.out "$here/exit_then_end.ebq"
kill -STOP "$traced"
./aggwork -g 2 5 1 2 3 4 5
kill -CONT "$traced"
if ended "$traced"; then
	echo "ended by itself"
else
	kill -INT "$traced"
fi
wait "$traced"
echo "status $?"
cat exit_then_end.out exit_then_end.out.err
