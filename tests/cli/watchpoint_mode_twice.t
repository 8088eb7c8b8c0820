args: -e 'watchpoint:0x1000:8:ww { @ = count() }'
status: 2
