#!/bin/sh
# agg_exact.sh - every aggregation is exact under concurrency: two processes,
# on two CPUs where there are several, call f() 120,000 times each at the
# same time with values going round known lists (negative, zero, 1, powers
# of two up to 1M), and one uprobe feeds arg0 to count, sum, avg, min, max,
# stats, hist and two lhists of key-less maps (agg_exact.ebq).  The per-CPU
# values combined in user space must print exactly what the lists make,
# every histogram row and bar included.
. ./driver.sh
trace agg_exact.out "$here/agg_exact.ebq"
hammer
wait $hammers
untrace
