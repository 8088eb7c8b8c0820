args: -e 'BEGIN { $n = 3; print(kstack($n)); }'
status: 2
