run: $EBPFQ -kk -e 'BEGIN { $p = (struct task_struct *)123; printf("pid %d\n", $p->pid); printf("again %d\n", $p->pid); exit(); }' 2>&1
exact: yes
