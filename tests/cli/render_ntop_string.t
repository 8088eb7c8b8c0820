args: -n -e 'BEGIN { printf("%s\n", ntop(comm)); }'
status: 2
