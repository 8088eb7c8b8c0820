args: -e 'interval:ms:100 { printf("tick\n"); } interval:ms:450 { exit(); }'
