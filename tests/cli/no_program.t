args:
status: 2
