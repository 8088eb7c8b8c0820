args: run no-such-object.o
status: 1
