args: -n -e 'BEGIN { printf("%s\n", path(0)); }'
status: 2
