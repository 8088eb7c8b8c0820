#!/bin/sh
# watch_kernel.sh - without -p or -c a watchpoint's address is the kernel's
# and it is set on every CPU.  The address: the voluntary context switch
# counter (nvcsw) in the task_struct of a shell that sleeps in a loop,
# printed by a first run; the kernel writes it each time the shell waits,
# on whatever CPU it runs.
sh -c 'i=0; while [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done' &
loop=$!
addr=$("$EBPFQ" -q -e "tracepoint:syscalls:sys_enter_wait4 /pid == $loop/ {
	printf(\"%p\n\", &((struct task_struct *)curtask)->nvcsw); exit(); }")
echo "address $addr"
"$EBPFQ" -e "watchpoint:$addr:8:w { @[pid == $loop] = count(); } interval:ms:500 { exit(); }"
echo "status $?"
kill $loop
