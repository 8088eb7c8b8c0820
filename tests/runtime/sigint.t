run: $EBPFQ -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' & pid=$!; sleep 1; $WORK/getppid_loop 100; kill -INT $pid; wait $pid
