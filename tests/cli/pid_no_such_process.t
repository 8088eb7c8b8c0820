args: -p 4194303 -e 'BEGIN { exit() }'
status: 2
