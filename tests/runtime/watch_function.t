args: -c "$WORK/watchwork call" -e 'watchpoint:'$WORK'/watchwork:watch_me+arg0:8:w { @w = count() } watchpoint:watch_me+arg0:8:rw { @rw = count() }'
exact: yes
