args: -e 'BEGIN { $y = curtask.pid; }'
status: 2
root: yes
