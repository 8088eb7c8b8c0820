args: -e 'BEGIN { pid = 1; }'
status: 2
