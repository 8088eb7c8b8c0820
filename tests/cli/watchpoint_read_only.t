args: -p 1 -e 'watchpoint:0x1000:8:r { @ = count() }'
status: 2
