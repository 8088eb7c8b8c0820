args: -q -c "$WORK/getppid_loop 1" -e 'kretprobe:sys_getppid /comm == "getppid_loop"/ { printf("%d\n", retval) }'
