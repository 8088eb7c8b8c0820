args: -e 'rawtracepoint:no_such_tracepoint { exit() }'
status: 2
root: yes
