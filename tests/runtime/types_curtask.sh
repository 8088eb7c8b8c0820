#!/bin/sh
# types_curtask.sh - curtask is the running task's struct task_struct, read
# from kernel memory through BTF: in BEGIN that is ebpfq itself, whose
# parent is this shell.
"$EBPFQ" -q -e 'BEGIN { printf("%d %d %s %d %d\n", curtask->tgid == pid, curtask->real_parent->tgid,
	curtask->comm, curtask->pid == tid, sizeof(curtask->comm)); exit(); }' > curtask.out
echo "shell $$"
cat curtask.out
