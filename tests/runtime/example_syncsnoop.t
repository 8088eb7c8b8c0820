args: -c 'sh ./example_work.sh sync' ../../lang-examples/syncsnoop.ebq
