setup: "$EBPFQ" --aot obj.o -e 'BEGIN { exit(); }' && perl -0777 -pi -e 's/EBPFQOBJ\x02\0\0\0/EBPFQOBJ\x63\0\0\0/' obj.o
args: run $TMP/obj.o
status: 1
