args: -e 'tracepoint:syscalls:sys_enter_read { print(sarg0) }'
status: 2
