args: -c 'sh ./example_work.sh open' ../../lang-examples/opensnoop.ebq
