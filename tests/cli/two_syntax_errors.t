args: -e 'BEGIN { $x = 1 +; $y = ); exit() }'
status: 2
