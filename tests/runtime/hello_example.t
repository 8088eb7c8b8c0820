args: -c $WORK/forker ../../lang-examples/hello.ebq
