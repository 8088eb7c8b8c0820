setup: "$EBPFQ" --aot obj.o -e 'BEGIN { printf("%d\n", $1); exit(); }' 5
args: run $TMP/obj.o 6
status: 2
