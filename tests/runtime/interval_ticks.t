args: -e 'interval:ms:100 { @ticks++; printf("tick %d\n", @ticks); if (@ticks == 4) { exit(); } }'
