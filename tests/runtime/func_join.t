args: -c '/usr/bin/true one two three' -e 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args->argv); join(args->argv, "+"); exit(); }'
exact: yes
