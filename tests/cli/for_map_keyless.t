args: -e 'BEGIN { @n = count(); for ($kv : @n) { print($kv.1); } }'
status: 2
