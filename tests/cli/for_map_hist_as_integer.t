args: -e 'BEGIN { @h[comm] = hist(5); for ($kv : @h) { if ($kv.1 > 1) { print($kv.0); } } }'
status: 2
