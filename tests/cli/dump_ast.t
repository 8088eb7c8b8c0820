args: -d ast -e 'BEGIN { exit() }'
status: 0
stdout: call exit @1:9
