#!/bin/sh
# bench/export.sh - what a scrape of `ebpfq --export` costs on a big map.  A
# benchmark to run by hand, as root, not a test:
#   sudo sh bench/export.sh       (EBPFQ=path/to/ebpfq to choose a build;
#                                  SIZES="10000 100000", SCRAPES=5)
# What it measures.  A small C workload calls a noinline f(i) for i below N;
# ebpfq traces it with uprobe:WORK:f and --export 127.0.0.1:0, for
#   @[arg0] = count()                 N keys
#   @[arg0 % K] = hist(arg0 / K)      K = N / 10 keys, 10 calls each (a
#                                     histogram is read whole, export.c)
# then, once the calls are made, SCRAPES scrapes one after another and then
# 4 at once: "scrape" is curl's time_total (ms) of the sequential ones,
# median and greatest, "4 at once" the slowest of the parallel ones, "bytes"
# the response's size, "RSS before" ebpfq's resident memory before the
# first scrape (VmRSS), "peak" its peak (VmHWM) after the last one: the
# difference is what scraping cost in memory.  The map holds 262144 keys
# (EBPFQ_MAP_KEYS_MAX).
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
sizes=${SIZES:-10000 100000}
scrapes=${SCRAPES:-5}
export EBPFQ_MAP_KEYS_MAX="${EBPFQ_MAP_KEYS_MAX:-262144}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"

cc -O1 -o "$tmp/work" "$here/bench/work.c" || exit 1   # work N: N calls of f

kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/"$2"/status; }

# measure N SCRIPT: one row
measure() {
	n=$1 script=$2
	"$ebpfq" -q --export 127.0.0.1:0 -e "uprobe:$tmp/work:f { $script }" >/dev/null 2>"$tmp/err" &
	pid=$!
	port=""
	while [ -z "$port" ] && running $pid; do
		sleep 0.1
		port=$(sed -n 's|^ebpfq: metrics at http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$tmp/err")
	done
	attached_prog $pid "$tmp/work" >/dev/null || { cat "$tmp/err"; return; }
	"$tmp/work" "$n"
	before=$(kib VmRSS $pid)
	: >"$tmp/times"
	for i in $(seq "$scrapes"); do
		curl -sS -o "$tmp/body" -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >>"$tmp/times"
	done
	bytes=$(wc -c <"$tmp/body")
	cpids=""
	for i in 1 2 3 4; do
		curl -sS -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >"$tmp/par$i" &
		cpids="$cpids $!"
	done
	for p in $cpids; do wait "$p"; done
	peak=$(kib VmHWM $pid)
	stop_tool $pid
	sort -n "$tmp/times" | awk -v s="$script" -v n="$n" -v b="$bytes" -v rb="$before" -v pk="$peak" \
		-v par="$(cat "$tmp"/par* | sort -n | tail -1)" '
		{ t[NR] = $1 * 1000 } END {
		printf "%-34s %7d %8.1f %8.1f %9.1f %10d %8d %8d\n", s, n, t[int((NR + 1) / 2)], t[NR],
			par * 1000, b, rb, pk }'
}

printf '%-34s %7s %8s %8s %9s %10s %8s %8s\n' script calls "scrape" "" "4 at once" bytes "RSS" "peak"
printf '%-34s %7s %8s %8s %9s %10s %8s %8s\n' "" "" "median" "most" "most" "" "KiB" "KiB"
for n in $sizes; do
	measure "$n" '@[arg0] = count();'
	measure "$n" "@[arg0 % $((n / 10))] = hist(arg0 / $((n / 10)));"
done
