args: -c "$WORK/watchwork call-late" -e 'asyncwatchpoint:watch_me+arg0:8:w { @ = count() }'
exact: yes
