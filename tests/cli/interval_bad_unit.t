args: -e 'interval:min:1 { exit() }'
status: 2
