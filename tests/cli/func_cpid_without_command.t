args: -e 'BEGIN { print(cpid) }'
status: 2
