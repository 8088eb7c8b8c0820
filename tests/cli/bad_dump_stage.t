args: -d bogus -e 'BEGIN{}'
status: 2
