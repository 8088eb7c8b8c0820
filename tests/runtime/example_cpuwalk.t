args: -c "$WORK/getppid_loop 3000000" ../../lang-examples/cpuwalk.ebq
