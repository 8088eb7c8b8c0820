args: --strlen 3 -e 'BEGIN{}'
status: 2
