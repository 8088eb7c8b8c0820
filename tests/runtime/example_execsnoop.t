args: -c 'sh ./example_work.sh exec' ../../lang-examples/execsnoop.ebq
