args: -e 'struct ebq_point { int x; }; BEGIN { $v = (struct ebq_point)1; }'
status: 2
