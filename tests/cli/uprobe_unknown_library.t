args: -e 'uprobe:libnosuchlibrary:f { exit() }'
status: 2
