args: -e 'tracepoint:syscalls:sys_enter_getppid { print(uaddr("main")); }'
status: 2
