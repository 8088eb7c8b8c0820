args: -e 'BEGIN { @m[1] = 1; for ($kv : @m) { print($kv.0); } print($kv.1); }'
status: 2
