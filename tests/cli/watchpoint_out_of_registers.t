args: -c 'sleep 1' -e 'watchpoint:0x10000:8:w { @ = count() } watchpoint:0x10008:8:w { @ = count() } watchpoint:0x10010:8:w { @ = count() } watchpoint:0x10018:8:w { @ = count() } watchpoint:0x10020:8:w { @ = count() }'
status: 1
root: yes
