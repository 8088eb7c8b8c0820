args: -p 0 -e 'BEGIN { exit() }'
status: 2
