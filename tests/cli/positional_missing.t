args: -e 'BEGIN { printf("%d\n", $1) }'
status: 2
