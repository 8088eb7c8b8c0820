args: -e 'BEGIN { print(kstack + 1); }'
status: 2
