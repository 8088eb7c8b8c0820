args: -e 'BEGIN { time(5) }'
status: 2
