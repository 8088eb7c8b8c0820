args: -p 1 -e 'asyncwatchpoint:0x1000:8:w { @ = count() }'
status: 2
