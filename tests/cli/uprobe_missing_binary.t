args: -e 'uprobe:/no/such/program:main { exit() }'
status: 2
