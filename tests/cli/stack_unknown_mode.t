args: -e 'BEGIN { print(kstack(prf, 3)); }'
status: 2
