args: -e 'struct ebq_dup { int x; long x; }; BEGIN { exit(); }'
status: 2
