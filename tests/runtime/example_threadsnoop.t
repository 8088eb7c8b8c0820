args: -c "$WORK/threadwork 2" ../../lang-examples/threadsnoop.ebq
