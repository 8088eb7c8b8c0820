args: -c 'sh ./example_work.sh setuid' ../../lang-examples/setuids.ebq
