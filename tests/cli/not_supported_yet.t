args: -e 'BEGIN { $a = ntop(1); }'
status: 2
