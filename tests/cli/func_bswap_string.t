args: -e 'BEGIN { print(bswap(comm)) }'
status: 2
