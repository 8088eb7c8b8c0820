args: -e 'BEGIN { exit() } /* no end'
status: 2
