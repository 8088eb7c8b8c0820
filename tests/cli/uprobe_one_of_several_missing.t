args: -n -e 'uprobe:libc:malloc, uprobe:libc:no_such_function { exit() }'
status: 0
root: yes
