run: cd $WORK && $EBPFQ -c "./usertarget 3" -e 'uprobe:./usertarget:add_numbers { printf("add %d %d %d\n", arg0, arg1, (s32)arg2); }'
