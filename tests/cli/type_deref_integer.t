args: -e 'BEGIN { $v = *comm; }'
status: 2
