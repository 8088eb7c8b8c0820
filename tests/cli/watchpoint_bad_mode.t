args: -e 'watchpoint:0x1000:8:wq { @ = count() }'
status: 2
