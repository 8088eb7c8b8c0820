run: $EBPFQ -q -c "$WORK/getppid_loop 5000" -e 'tracepoint:syscalls:sys_enter_getppid /comm == "getppid_loop"/ { @[nsecs] = count(); @n = count(); }' 2>&1
