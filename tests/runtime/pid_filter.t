run: sh -c "sleep 1; exec $WORK/getppid_loop 7" & p=$!; (sleep 1; $WORK/getppid_loop 3) & timeout -s INT 3 $EBPFQ -q -p $p -e 'tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }'
status: 124
