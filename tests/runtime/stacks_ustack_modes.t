run: cd $WORK && $EBPFQ -c "./stackwork 1 0 300" -e 'uprobe:./stackwork:c { print(ustack); printf("[%s]\n", ustack(perf, 2)); print(ustack(bpftrace, 1)); print(func); }'
