args: -e 'BEGIN { $x = "a" + 1; }'
status: 2
