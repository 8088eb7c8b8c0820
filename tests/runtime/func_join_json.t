args: -f json -c '/usr/bin/true one two' -e 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv); exit(); }'
exact: yes
