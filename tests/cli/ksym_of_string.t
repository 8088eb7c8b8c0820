args: -e 'BEGIN { print(ksym(comm)); }'
status: 2
