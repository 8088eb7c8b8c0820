args: -c $WORK/forker -e 'rawtracepoint:sched_process_fork { @forks = count(); } rawtracepoint:sched:sched_switch { @switch = count(); }'
