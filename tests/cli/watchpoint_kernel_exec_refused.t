args: -e 'watchpoint:0xffffffff81000000:8:x { @ = count() }'
status: 1
root: yes
