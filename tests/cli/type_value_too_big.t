args: -e 'BEGIN { $z = *(struct pglist_data *)0; }'
status: 2
root: yes
