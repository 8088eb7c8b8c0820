args: -e 'kprobe:vfs_read { printf("%d\n", arg5) }'
status: 2
