run: $EBPFQ -c "cat /dev/null" for_map_nested.ebq
exact: yes
