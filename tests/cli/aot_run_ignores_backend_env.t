setup: "$EBPFQ" --aot obj.o -e 'BEGIN { printf("ran\n"); exit(); }'
args: run -q $TMP/obj.o
prefix: env EBPFQ_BACKEND=bogus
root: yes
stdout: ran
status: 0
