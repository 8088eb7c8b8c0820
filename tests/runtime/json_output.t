args: -q -f json -e 'BEGIN { printf("hi\n"); @m["a"] = 1; exit(); }'
