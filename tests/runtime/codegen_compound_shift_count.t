args: -q -e 'BEGIN { $x = 3; $x <<= 65; $y = -8; $y >>= -1; @m[1] = 3; @m[1] <<= 65; @m[2] = -8; @m[2] >>= 66; printf("%d %d %d %d\n", $x, $y, @m[1], @m[2]); clear(@m); exit(); }'
