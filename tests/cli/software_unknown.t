args: -e 'software:cpu-clocks:1000 { exit() }'
status: 2
