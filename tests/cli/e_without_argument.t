args: -e
status: 2
