args: run -k no-such-object.o
status: 2
