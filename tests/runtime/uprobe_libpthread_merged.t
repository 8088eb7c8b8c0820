run: cd $WORK && $EBPFQ -c './funcwork thread' -e 'uprobe:libpthread:pthread_create { printf("created by %s\n", comm); }'
exact: yes
