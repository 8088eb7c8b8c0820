args: --unsafe -e 'BEGIN { signal(9) }'
status: 2
