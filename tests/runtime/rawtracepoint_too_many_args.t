run: $EBPFQ -e 'rawtracepoint:sched_process_fork { printf("%d\n", arg5); }' 2>&1; echo status $?
