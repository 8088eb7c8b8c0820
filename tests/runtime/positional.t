args: -q -e 'BEGIN { printf("%s %d %d\n", $1, $2, $#); exit(); }' hello 42
