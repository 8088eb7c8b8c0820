run: $EBPFQ --info
