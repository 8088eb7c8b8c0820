run: cd $WORK && $EBPFQ -c "./stackwork 3 5 300" -e 'uprobe:./stackwork:c { @[ustack(3)] = count(); @k[kstack] = count(); }'
exact: yes
