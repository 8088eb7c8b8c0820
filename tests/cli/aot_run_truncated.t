setup: "$EBPFQ" --aot full.o -e 'BEGIN { printf("hi\n"); exit(); }' && head -c 1000 full.o >cut.o
args: run $TMP/cut.o
status: 1
