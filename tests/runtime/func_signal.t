run: cd $WORK && $EBPFQ --unsafe -c ./funcwork -e 'uprobe:./funcwork:victim { signal("SIGKILL"); printf("signalled %d\n", pid == cpid); }'
