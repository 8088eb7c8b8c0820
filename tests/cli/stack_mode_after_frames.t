args: -e 'BEGIN { print(kstack(3, perf)); }'
status: 2
