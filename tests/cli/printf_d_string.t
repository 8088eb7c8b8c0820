args: -e 'BEGIN { printf("%d\n", comm); }'
status: 2
