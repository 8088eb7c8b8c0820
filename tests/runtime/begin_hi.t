args: -e 'BEGIN { printf("hi\n"); exit(); }'
