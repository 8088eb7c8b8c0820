args: -c 'sh ./example_work.sh forks' ../../lang-examples/pidpersec.ebq
