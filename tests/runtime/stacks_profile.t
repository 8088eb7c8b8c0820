args: -e 'profile:hz:999 { @[kstack] = count(); @n = count(); } interval:ms:700 { exit(); }'
