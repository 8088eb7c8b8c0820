args: -e 'BEGIN { printf("%d\n", $x); }'
status: 2
