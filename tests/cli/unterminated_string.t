args: -e 'BEGIN { printf("hello) }'
status: 2
