args: -e 'BEGIN { @m[1] = 1; @m[1, 2] = 2; }'
status: 2
