run: for i in 1 2; do timeout 3 sh -c "while :; do :; done" & done; $EBPFQ -e 'profile:hz:199 { @[cpu] = count(); } interval:ms:700 { exit(); }' | sort; wait
