args: -e 'BEGIN { printf("hi\n");'
status: 2
