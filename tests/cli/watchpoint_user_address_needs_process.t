args: -e 'watchpoint:0x1000:8:w { @ = count() }'
status: 2
