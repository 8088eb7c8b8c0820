args: -e 'BEGIN { @m = 1; @m = "a"; }'
status: 2
