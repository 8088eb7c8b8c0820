args: run -q
status: 2
