args: -e 'uprobe:libc:malloc { print(uaddr("mallocc")); }'
status: 2
