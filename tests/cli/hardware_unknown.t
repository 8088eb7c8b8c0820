args: -e 'hardware:cycle { exit() }'
status: 2
