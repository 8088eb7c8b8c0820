args: -c /bin/true -e 'tracepoint:syscalls:sys_enter_execve { printf("%d %s\n", pid, comm); }'
