args: -c "$WORK/getppid_loop 1000" -e 'tracepoint:syscalls:sys_enter_getppid /comm == "getppid_loop"/ { @s = sum(2); @c = count(); }'
