args: -f json -c /usr/bin/true -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { print(args); exit(); }'
exact: yes
