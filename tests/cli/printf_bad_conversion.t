args: -e 'BEGIN { printf("%q\n", pid); }'
status: 2
