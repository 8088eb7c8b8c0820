run: cd $WORK && $EBPFQ -c ./forker -e 'rawtracepoint:sched_process_fork /arg0->comm == "forker"/ { @forks = count(); printf("%s %d %d\n", arg1->comm, arg1->tgid != arg0->tgid, arg1->real_parent == arg0); }'
exact: yes
