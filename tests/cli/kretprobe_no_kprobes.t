args: -e 'kretprobe:vfs_read { printf("%d\n", retval); exit() }'
status: 1
root: yes
