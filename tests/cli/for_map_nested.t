args: -e 'BEGIN { @m[1] = 1; for ($kv : @m) { for ($kw : @m) { print($kw.0); } } }'
status: 2
