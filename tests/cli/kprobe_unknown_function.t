args: -n -e 'kprobe:no_such_function_here { @ = count(); }'
status: 2
