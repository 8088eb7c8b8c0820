args: -e 'BEGIN { @m[1] = 1; @m["a"] = 2; }'
status: 2
