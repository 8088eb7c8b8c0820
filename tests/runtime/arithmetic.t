args: -q -e 'BEGIN { printf("%d %d %d %d %d %d %d %d %d %d\n", -7 / 2, 7 % 3, 1 << 10, -7 % 3, 0xff & 0x0f, 5 > 3, !0, (u8)257, (s8)255, 10 / 0); exit(); }'
