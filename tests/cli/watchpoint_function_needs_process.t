args: -e 'watchpoint:/bin/true:main+arg0:8:w { @ = count() }'
status: 2
