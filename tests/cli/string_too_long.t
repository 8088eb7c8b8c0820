args: --strlen 8 -e 'BEGIN { printf("%s", "much too long") }'
status: 2
