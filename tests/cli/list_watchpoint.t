args: -l 'watchpoint:*'
status: 1
