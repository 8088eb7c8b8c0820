args: -c /bin/true -e 'watchpoint:main+argv:8:w { @ = count() }'
status: 2
