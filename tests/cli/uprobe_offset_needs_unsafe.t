args: -e 'uprobe:libc:malloc+4 { exit() }'
status: 2
