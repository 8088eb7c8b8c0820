#!/bin/sh
# map_ops_live.sh - print(@m, top, div), print(@m[k]), delete(@m[k]),
# delete(@m, k), zero() and clear() on live maps of every kind (count,
# hist, lhist, min, stats, a plain value; key-less sum and hist), run by a
# probe while the maps are being fed (map_ops_live.ebq).  Each operation is asked for by a
# call of f() and the workloads wait until ebpfq has printed that it ran,
# so every value is known: after zero() the entries stay at 0 and count on
# from there; after clear() they are gone.  Last, keys are deleted over and
# over while another process hammers its own key of the same maps on
# another CPU: that key must lose nothing.
. ./driver.sh
seq=0
op() { # OP: have the probe run OP; return once it has
	seq=$((seq + 1))
	./aggwork -k 99 1 $((100 * seq + $1))
	wait_line "^op $((100 * seq + $1)) done\$" map_ops_live.out
}
trace map_ops_live.out "$here/map_ops_live.ebq"
./aggwork -n one 4 1 2 3 4
./aggwork -n two 2 100 200
op 1
op 2
op 3
op 4
./aggwork -n one 2 5 6
op 1
op 5
./aggwork -n three 1 7
on_cpu 1 ./aggwork -n hammer 200000 3 & hammer=$!
i=0
while [ $i -lt 20 ]; do
	on_cpu 0 ./aggwork -n one 1 250
	op 6
	i=$((i + 1))
done
wait $hammer
op 1
untrace
