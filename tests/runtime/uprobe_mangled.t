run: cd $WORK && $EBPFQ -c "./usertarget 2" -e 'uprobe:./usertarget:_ZN2ns6tripleEi { printf("%s(%d)\n", probe, arg0); }'
