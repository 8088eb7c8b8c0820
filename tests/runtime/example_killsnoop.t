args: -c 'sh ./example_work.sh kill' ../../lang-examples/killsnoop.ebq
