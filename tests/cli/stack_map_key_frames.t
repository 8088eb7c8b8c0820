args: -e 'BEGIN { @[kstack(3)] = count(); @[kstack(4)] = count(); }'
status: 2
