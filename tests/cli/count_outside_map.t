args: -e 'BEGIN { $x = count(); }'
status: 2
