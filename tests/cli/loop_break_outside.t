args: -e 'BEGIN { break; }'
status: 2
