args: -e 'BEGIN { @h = hist(1); }'
status: 2
