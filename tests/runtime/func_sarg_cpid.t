run: cd $WORK && $EBPFQ -c ./funcwork -e 'uprobe:./funcwork:stack_args { printf("args %d %d sarg %d %d same %d\n", arg0, arg5, sarg0, sarg1, cpid == pid); }'
