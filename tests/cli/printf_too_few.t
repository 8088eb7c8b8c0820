args: -e 'BEGIN { printf("%d %d\n", 1); }'
status: 2
