args: -e 'BEGIN { join(comm) }'
status: 2
