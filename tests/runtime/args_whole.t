args: -c /usr/bin/true -e 'tracepoint:sched:sched_process_exec /pid == cpid/ { print(args); $a = args; printf("same %d %d\n", $a.pid == cpid, $a.old_pid == args->old_pid); @[$a.filename] = args; exit(); }'
exact: yes
