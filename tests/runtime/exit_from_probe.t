args: -q -e 'tracepoint:syscalls:sys_enter_getppid { @n = count(); exit(); }' -c "$WORK/getppid_loop 100"
