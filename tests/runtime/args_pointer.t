args: -c 'sleep 0.25' -e 'tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { printf("%d.%03d\n", args->rqtp->tv_sec, args->rqtp->tv_nsec / 1000000); exit(); }'
exact: yes
