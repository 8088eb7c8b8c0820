args: -e 'BEGIN { $t = *curtask; }'
status: 2
root: yes
