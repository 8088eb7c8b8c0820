run: $EBPFQ -c "$WORK/getppid_loop 5" -e 'kprobe:__do_sys_getppid /comm == "getppid_loop"/ { @calls = count(); }' 2>&1; echo status $?
