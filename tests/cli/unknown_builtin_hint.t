args: -e 'BEGIN { printf("%d\n", pdi); }'
status: 2
