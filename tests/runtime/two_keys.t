args: -c "$WORK/getppid_loop 300" -e 'kprobe:sys_getppid /comm == "getppid_loop"/ { @m[comm, 7] = count(); }'
