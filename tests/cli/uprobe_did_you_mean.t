args: -e 'uprobe:libc:mallocc { exit() }'
status: 2
