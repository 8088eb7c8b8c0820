args: -e 'uprobe:/bin/true:main { exit() }'
status: 2
