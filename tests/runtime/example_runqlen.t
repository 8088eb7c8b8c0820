args: -c "$WORK/getppid_loop 1000000" ../../lang-examples/runqlen.ebq
