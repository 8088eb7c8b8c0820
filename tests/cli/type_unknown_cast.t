args: -e 'BEGIN { $x = ((struct nosuch_thing *)0)->x; }'
status: 2
root: yes
