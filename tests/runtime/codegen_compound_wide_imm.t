args: -q -e 'BEGIN { $x = 1; $x -= 2255398915994663525; $y = 5; $y ^= 0x123456789; printf("%d %d\n", $x, $y); exit(); }'
