args: -e 'BEGIN { @m[1] = 1; $kv = 1; for ($kv : @m) { print($kv.0); } }'
status: 2
