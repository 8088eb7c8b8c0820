args: -e 'interval:s:1 { printf("%d\n", arg0) }'
status: 2
