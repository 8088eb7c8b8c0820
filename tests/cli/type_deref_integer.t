args: -e 'BEGIN { $v = *pid; }'
status: 2
