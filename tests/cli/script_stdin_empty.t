args: -
status: 2
