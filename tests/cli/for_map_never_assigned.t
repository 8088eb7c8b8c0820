args: -e 'BEGIN { for ($kv : @nothing) { print($kv.0); } }'
status: 2
