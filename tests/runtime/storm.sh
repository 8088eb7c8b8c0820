#!/bin/sh
# storm.sh - an event storm: a printf on every system call entry of the
# whole machine (including ebpfq's own writes of what it prints) while a
# workload spins on getppid.  ebpfq must keep running, print what it
# received, report on stderr what the full ring buffer made it lose, and
# received + lost must be exactly what the kernel counted in the same probe.
out=$WORK/storm.out err=$WORK/storm.err
# stdout is a pipe whose reader stalls for 2 s: ebpfq blocks in write()
# and the ring buffer must overflow meanwhile
{
	timeout -s KILL 90 "$EBPFQ" -q -c "$WORK/getppid_loop 1000000" \
		-e 'tracepoint:syscalls:sys_enter_* { printf("E %d %s\n", cpu, comm); @n = count(); }' \
		2>"$err"
	echo $? >"$WORK/storm.status"
} | { sleep 2; cat; } >"$out"
echo "status $(cat "$WORK/storm.status")"
received=$(grep -c '^E ' "$out")
lost=$(sed -n 's/^ebpfq: \([0-9]*\) events\{0,1\} lost: the ring buffer was full$/\1/p' "$err")
counted=$(sed -n 's/^@n: //p' "$out")
echo "received $received, lost ${lost:-0}, counted $counted"
[ -n "$counted" ] && [ $((received + ${lost:-0})) = "$counted" ] && echo balanced
cat "$err" | head -5
