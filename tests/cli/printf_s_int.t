args: -e 'BEGIN { printf("%s\n", pid); }'
status: 2
