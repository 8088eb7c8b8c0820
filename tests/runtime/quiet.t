args: -q -e 'BEGIN { printf("hi\n"); exit(); }'
