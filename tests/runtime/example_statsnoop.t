args: -c 'sh ./example_work.sh stat' ../../lang-examples/statsnoop.ebq
