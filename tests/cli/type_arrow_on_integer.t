args: -e 'BEGIN { $x = 1; $y = $x->foo; }'
status: 2
