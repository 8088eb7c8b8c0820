args: -q -e 'BEGIN { $x = (uint64)18446744073709551615; $y = $x--; @m[1] = 0; printf("%d %d %d\n", $y > 0, $x, --@m[1] < 0); clear(@m); exit(); }'
