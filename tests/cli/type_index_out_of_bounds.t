args: -e 'BEGIN { $c = curtask->comm[16]; }'
status: 2
root: yes
