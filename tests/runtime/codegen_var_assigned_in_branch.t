args: -q -e 'BEGIN { if (nsecs == 0) { $x = 1; $s = "hi"; } else { $y = 2; } $z = 3; printf("%d %d %d [%s]\n", $x, $y, $z, $s); if (nsecs != 0) { $w = 7; } printf("%d\n", $w); exit(); }'
