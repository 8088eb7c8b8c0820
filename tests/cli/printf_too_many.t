args: -e 'BEGIN { printf("%d\n", 1, 2); }'
status: 2
