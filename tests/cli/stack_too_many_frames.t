args: -e 'BEGIN { @[ustack(2000)] = count(); }'
status: 2
