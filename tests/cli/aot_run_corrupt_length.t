setup: "$EBPFQ" --aot obj.o -e 'BEGIN { exit(); }' && perl -0777 -pi -e 's/(EBPFQOBJ\x02\0\0\0)..../$1\x01\0\0\0/s' obj.o
args: run $TMP/obj.o
status: 1
