args: -e 'BEGIN { exit(1); }'
status: 2
