run: cd $WORK && $EBPFQ -q -c ./structwork -e 'uprobe:./structwork:walk { printf("%d %d\n", *arg0, *(arg0 + 8) != 0); }' 2>&1
