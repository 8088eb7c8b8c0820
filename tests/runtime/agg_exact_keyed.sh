#!/bin/sh
# agg_exact_keyed.sh - keyed aggregations are exact under concurrency: two
# processes (one per CPU) hammer the same keys at once, as in agg_exact.sh;
# meanwhile a third moves to the next CPU before each of its calls, so each
# of its entries is split over every CPU, and a fourth has a key of its
# own.  Keys are the comm (a string), the comm and an integer, an integer
# and the comm, and an integer alone (agg_exact_keyed.ebq).
. ./driver.sh
trace agg_exact_keyed.out "$here/agg_exact_keyed.ebq"
hammer
./aggwork -n spreader -k 2 -s 2000 -5 -2 & c=$!
on_cpu 1 ./aggwork -n hammer -k 3 1000 7 & d=$!
wait $hammers $c $d
untrace
