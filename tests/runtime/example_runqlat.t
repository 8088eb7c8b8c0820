args: -c 'sh ./example_work.sh sleep' ../../lang-examples/runqlat.ebq
