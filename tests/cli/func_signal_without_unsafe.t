args: -e 'tracepoint:syscalls:sys_enter_read { signal("KILL") }'
status: 2
