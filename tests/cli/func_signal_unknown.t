args: --unsafe -e 'tracepoint:syscalls:sys_enter_read { signal("SIGKIL") }'
status: 2
