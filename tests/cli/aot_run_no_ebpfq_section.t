setup: "$EBPFQ" --aot obj.o -e 'BEGIN { exit(); }' && perl -0777 -pi -e 's/\.ebpfq\0/.other\0/' obj.o
args: run $TMP/obj.o
status: 1
