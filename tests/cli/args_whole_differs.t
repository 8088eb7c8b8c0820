args: -e 'tracepoint:syscalls:sys_enter_openat,tracepoint:syscalls:sys_enter_read { print(args) }'
status: 2
