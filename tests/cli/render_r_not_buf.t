args: -n -e 'BEGIN { printf("%r\n", comm); }'
status: 2
