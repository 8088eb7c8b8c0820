run: cd $WORK && $EBPFQ -l 'uprobe:./usertarget*:add_numbers' && $EBPFQ -l 'uprobe:./usertar?et-*:squ*'
exact: yes
