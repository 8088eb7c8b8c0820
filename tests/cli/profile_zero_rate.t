args: -e 'profile:hz:0 { exit() }'
status: 2
