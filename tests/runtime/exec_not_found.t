run: $EBPFQ -c /nonexistent/command -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' 2>&1
status: 1
