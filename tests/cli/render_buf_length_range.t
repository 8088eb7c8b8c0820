args: -n -e 'kprobe:sys_read { printf("%r\n", buf(arg1, 5000)); }'
status: 2
