args: -e 'BEGIN { print(strncmp(pid, "a", 1)) }'
status: 2
