run: cd $WORK && $EBPFQ -c "./usertarget 5" -e 'uprobe:./usertarget:*_numbers, uprobe:./usertarget:squ* { @[func] = count(); }'
