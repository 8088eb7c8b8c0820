args: -e 'BEGIN { @m[1] = 1; for ($kv : @m) { print($kv--); } }'
status: 2
