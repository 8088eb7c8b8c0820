args: --unsafe -e 'tracepoint:syscalls:sys_enter_read { signal(65) }'
status: 2
