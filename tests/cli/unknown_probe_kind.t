args: -e 'kprob:sys_clone { exit() }'
status: 2
