args: -e 'tracepoint:syscalls:sys_enter_openat { printf("%s\n", str(args->filenme)) }'
status: 2
root: yes
