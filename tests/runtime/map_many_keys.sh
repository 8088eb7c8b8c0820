#!/bin/sh
# map_many_keys.sh N - a map offered N distinct keys (a uprobe on f(i) for
# i = 0..N-1, @[arg0] = count()) keeps as many as a map holds, the first
# ones, counts and reports the refused updates, and prints every kept entry
# in order (all equal: by key) at exit within 5 seconds: a loose guard
# against printing that grows worse than linearly, not a benchmark.
. ./driver.sh
n=$1
trace many_keys.out -e 'uprobe:./aggwork:f { @[arg0] = count(); @n = count(); }'
./aggwork "$n"
start=$(date +%s%N)
kill -INT "$traced"
wait "$traced"
echo "status $?"
took=$((($(date +%s%N) - start) / 1000000))
awk 'BEGIN { kept = 0 } /^@\[/ { if ($0 != "@[" kept "]: 1") bad = bad ? bad : $0; kept++ }
	END { print kept " keys" (bad ? ", first out of order: " bad : ", 0 to " kept - 1 " in order, each 1") }' many_keys.out
grep '^@n: ' many_keys.out
cat many_keys.out.err
if [ "$took" -lt 5000 ]; then
	echo "printed within 5 s"
else
	echo "printed in $took ms"
fi
