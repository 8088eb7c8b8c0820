args: -p 12x -e 'BEGIN { exit() }'
status: 2
