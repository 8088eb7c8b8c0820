args: -l 'tracepoint:syscalls:sys_enter_openat'
status: 0
stdout: tracepoint:syscalls:sys_enter_openat
root: yes
