# A process whose user stacks are map keys has exited, and been reaped,
# when the map prints: its addresses still symbolize, from the memory map
# read when the program first announced the process.  (bpftrace prints
# them in hex.)  The workload lives 300 ms after its calls, so that ebpfq
# sees it; ebpfq ends with it (-c) and prints after reaping it.
cd "$WORK" || exit 1
"$EBPFQ" -c "./stackwork 2 0 300" -e 'uprobe:./stackwork:c { @[ustack(4), usym(uaddr("b"))] = count(); }' >"$WORK/exited.out" || exit 1
cat "$WORK/exited.out"
