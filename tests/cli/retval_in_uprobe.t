args: -e 'uprobe:libc:malloc { printf("%d\n", retval) }'
status: 2
