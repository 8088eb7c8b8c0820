args: -e 'kprobe:sys_clone { printf("%d\n", retval) }'
status: 2
root: yes
