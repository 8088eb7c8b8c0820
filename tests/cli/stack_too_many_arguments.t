args: -e 'BEGIN { print(ustack(perf, 3, 4)); }'
status: 2
