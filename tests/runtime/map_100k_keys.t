run: EBPFQ_MAP_KEYS_MAX=131072 sh map_many_keys.sh 100000
exact: yes
