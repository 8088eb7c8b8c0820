args: -e 'BEGIN { $s = comm; print(strcontains(comm, $s)) }'
status: 2
