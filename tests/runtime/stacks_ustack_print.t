run: cd $WORK && $EBPFQ -c "./stackwork 1 0 300" -e 'uprobe:./stackwork:c { print(ustack(4)); }'
exact: yes
