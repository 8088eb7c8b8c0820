args: --bogus -e 'BEGIN{}'
status: 2
