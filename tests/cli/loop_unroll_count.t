args: -e 'BEGIN { unroll(101) { printf("x\n"); } }'
status: 2
