args: -e 'struct ebq_bits { char x : 9; }; BEGIN { exit(); }'
status: 2
