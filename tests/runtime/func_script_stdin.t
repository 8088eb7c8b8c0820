run: printf 'BEGIN { printf("from stdin %%d\\n", $1); exit(); }' | $EBPFQ - 7
exact: yes
