run: $EBPFQ -e 'profile:hz:199 { @[cpu] = count(); } interval:ms:700 { exit(); }' | sort
