args: -c "$WORK/getppid_loop 50000" ../../lang-examples/syscount.ebq
