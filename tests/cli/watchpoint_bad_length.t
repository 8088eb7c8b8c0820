args: -e 'watchpoint:0x1000:3:w { @ = count() }'
status: 2
