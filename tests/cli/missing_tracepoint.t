args: -e 'tracepoint:nosuch:thing { exit() }'
status: 2
root: yes
