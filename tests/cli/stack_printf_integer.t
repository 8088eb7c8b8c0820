args: -e 'BEGIN { printf("%d\n", ustack); }'
status: 2
