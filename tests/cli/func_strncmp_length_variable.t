args: -e 'BEGIN { $n = 2; print(strncmp(comm, "a", $n)) }'
status: 2
