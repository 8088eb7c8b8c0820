args: -q -c /bin/true -e 'tracepoint:sched:sched_process_exec /comm == "true"/ { printf("%s %d\n", args->filename, args->pid == pid); exit() }'
