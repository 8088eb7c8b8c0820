args: -n -e 'uprobe:libc:no_such_function, uprobe:libc:nor_this_one { exit() }'
status: 2
root: yes
