run: cd $WORK && $EBPFQ -c "./usertarget 3" -e 'usdt:./usertarget:ebpfq_target:tick { printf("tick %d %d %d\n", arg0, arg1, arg2); } usdt:./usertarget:guarded { printf("guarded %d\n", arg0); }'
