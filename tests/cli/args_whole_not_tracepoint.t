args: -e 'BEGIN { print(args) }'
status: 2
