#!/bin/sh
# agg_read.sh - aggregations read in a program are every CPU's values
# combined.  Two processes (one per CPU) feed count, sum, avg, min and max
# at the same time; END reads them (after detaching: the numbers are final)
# and must print what the maps print, the average of negative values
# rounded toward zero.  Per key: three processes call f() 12, 10 and 11
# times, the first moving to the next CPU before each call (on two CPUs, 6
# on each: only the sum is over 10), then g(); g's probes filter on
# @pc[pid] > 10 and read it (agg_read.ebq).
. ./driver.sh
trace agg_read.out "$here/agg_read.ebq"
on_cpu 0 ./aggwork -n hammer 120000 -1000 -7 0 1 5 64 & a=$!
on_cpu 1 ./aggwork -n hammer 120000 -3 2 3 10 -50 7 & b=$!
./aggwork -n spread -s -g 3 12 0 & c=$!
./aggwork -n low -s -g 4 10 0 & d=$!
on_cpu 0 ./aggwork -n pinned -g 5 11 0 & e=$!
wait $a $b $c $d $e
untrace
