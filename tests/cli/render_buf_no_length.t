args: -n -e 'kprobe:sys_read { printf("%r\n", buf(arg1)); }'
status: 2
