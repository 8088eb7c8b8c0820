args: -p 1 -e 'watchpoint:0x1004:8:w { @ = count() }'
status: 2
