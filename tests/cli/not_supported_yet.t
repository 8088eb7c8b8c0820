args: -e 'BEGIN { $a = kaddr("do_nanosleep"); }'
status: 2
