args: -c 'sh ./example_work.sh sleep' ../../lang-examples/naptime.ebq
