args: -e 'BEGIN { @s[1] = stats(5); for ($kv : @s) { print($kv); } }'
status: 2
