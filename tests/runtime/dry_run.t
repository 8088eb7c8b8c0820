args: -n -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
