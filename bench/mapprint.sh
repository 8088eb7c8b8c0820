#!/bin/sh
# bench/mapprint.sh - how long a big map takes to print when tracing ends,
# ebpfq against bpftrace in the same run.  A benchmark to run by hand, as
# root, not a test:
#   sudo sh bench/mapprint.sh     (EBPFQ=path/to/ebpfq to choose a build;
#                                  KEYS, HIST_KEYS, SCALE: see below)
# What it measures.  A small C workload calls a noinline f(i) for i below N;
# each tool traces it with uprobe:WORK:f, then gets SIGINT, as Ctrl-C sends.
# "last line" is the time from the SIGINT to the last byte of output (the
# exit print: detach, read the map out of the kernel, combine the per-CPU
# values, sort, format), "exit" to the process gone; "keys" counts the
# printed keys (lines starting with @), which tells a full map; "max RSS"
# the tool's peak resident memory over the whole run (VmHWM, polled every
# 20 ms: memory at scale).  Two maps:
#   @[arg0] = count()                        KEYS keys (default 100,000)
#   @[arg0 % K] = hist(arg0 / K)             K = HIST_KEYS keys (default
#                                            10,000), 5 buckets each
# Map capacity: both tools' keyed maps hold 4096 entries by default (a
# histogram's entries are (key, bucket) pairs); EBPFQ_MAP_KEYS_MAX and
# BPFTRACE_MAP_KEYS_MAX are raised here to 262144 (or what the environment
# says).
# Last, when valgrind is installed, the cost of ebpfq's exit print alone:
# callgrind's instruction count (Ir) of maps__print_all for a count map of
# each size in SCALE (default "1000 2000 4000", what the default map
# holds), per key and per key * log2(keys).  A linear-logarithmic print
# keeps Ir/key nearly flat (it grows by the sort's log factor) and
# Ir/(k log2 k) from growing; a quadratic one would multiply Ir/key by the
# growth of keys.  Ir counts user space only: the two bpf() calls per key
# (get_next_key, lookup) and the detach are in "last line" above.
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
keys=${KEYS:-100000}
hist_keys=${HIST_KEYS:-10000}
scale=${SCALE:-1000 2000 4000}
export BPFTRACE_MAP_KEYS_MAX="${BPFTRACE_MAP_KEYS_MAX:-262144}"
export EBPFQ_MAP_KEYS_MAX="${EBPFQ_MAP_KEYS_MAX:-262144}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"

cc -O1 -o "$tmp/work" "$here/bench/work.c" || exit 1

# Trace N calls with tool-command..., SIGINT it; print ms to the last line,
# ms to the exit, keys printed, the tool's peak resident size in KiB.
exit_print() { # N tool-command...
	calls=$1; shift
	start_stamped tool "$tmp/work stamp" "$@"
	pid=$started stamp_pid=$stamper
	rm -f "$tmp/rss"
	watch_rss $pid "$tmp/rss" &
	if ! attached_prog $pid "$tmp/work" >/dev/null; then
		stop_tool $pid
		wait $stamp_pid
		sed 's/^/    /' "$tmp/tool.err" >&2
		echo "- - 0 -"
		return
	fi
	"$tmp/work" "$calls"
	t0=$(date +%s%N)
	kill -INT $pid
	wait $pid
	t1=$(date +%s%N)
	wait $stamp_pid
	read -r last printed <"$tmp/tool.stamp"
	[ "${printed:-0}" -gt 0 ] || sed 's/^/    /' "$tmp/tool.err" >&2
	sleep 0.05 # the watcher's last look
	rss=$(cat "$tmp/rss" 2>/dev/null)
	awk -v t0="$t0" -v t1="$t1" -v last="$last" -v k="$printed" -v rss="${rss:--}" 'BEGIN {
		printf "%.1f %.1f %d %s\n", last ? (last - t0) / 1e6 : -1, (t1 - t0) / 1e6, k, rss }'
}

row() { # script keys tool last-ms exit-ms keys-printed rss-kib
	printf '%-40s %7s  %-9s %10s %9s %8s %9s\n' "$@"
}

have_bpftrace=$(command -v bpftrace)
row script keys tool "last line" exit keys "max RSS"
row "" "" "" ms ms printed KiB
# exit_print's three numbers are three columns: split on purpose
# shellcheck disable=SC2046
while IFS='|' read -r calls nkeys script; do
	probe="uprobe:$tmp/work:f { $script }"
	row "$script" "$nkeys" ebpfq $(exit_print "$calls" "$ebpfq" -q -e "$probe")
	[ -z "$have_bpftrace" ] ||
		row "" "" bpftrace $(exit_print "$calls" bpftrace -e "$probe")
done <<EOF
$keys|$keys|@[arg0] = count();
$((hist_keys * 10))|$hist_keys|@[arg0 % $hist_keys] = hist(arg0 / $hist_keys);
EOF

command -v valgrind >/dev/null || exit 0
echo
printf '%-40s %7s %12s %8s %13s\n' "ebpfq exit print, callgrind" keys "Ir" "Ir/key" "Ir/(k log2 k)"
probe="uprobe:$tmp/work:f { @[arg0] = count(); }"
for n in $scale; do
	# shellcheck disable=SC2046
	set -- $(exit_print "$n" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
		--toggle-collect=maps__print_all "$ebpfq" -q -e "$probe")
	ir=$(callgrind_annotate "$tmp/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	awk -v n="$3" -v ir="$ir" 'BEGIN {
		per_key = n ? ir / n : 0
		per_nlogn = (n > 1) ? ir / (n * log(n) / log(2)) : 0
		printf "%-40s %7d %12d %8.0f %13.1f\n", "@[arg0] = count();", n, ir, per_key, per_nlogn }'
done
