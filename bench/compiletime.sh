#!/bin/sh
# bench/compiletime.sh - how compile time and memory grow with the length of
# one probe.  A benchmark to run by hand, not a test; it needs no root and
# no BPF (`-d bpf` compiles, checks with vcheck and prints, loads nothing):
#   sh bench/compiletime.sh [N...]          (EBPFQ=path/to/ebpfq to choose a build)
#   EBPFQ_BACKEND=llvm sh bench/compiletime.sh    (the llvm back end, where built)
#   PROBES=500 sh bench/compiletime.sh             (500 small probes, not 2,000)
# What it measures: `ebpfq -d bpf` (output to /dev/null) on one BEGIN probe of
# N statements `$a = $a + $b * 7; if ($a > 7) { @m[7] = $a; }` (20 BPF
# instructions each: a map update and its failure counter in a branch), for
# N = 500 ... 8000 by default, and on 2,000 small probes of one such
# statement each, the same code cut into short functions.  wall is the
# median of 3 runs in milliseconds, RSS the largest resident size in KiB
# (/usr/bin/time -f %M, GNU time); x2 is wall / wall of the N before it,
# about 2 when compile time is linear in the probe's length, 4 when it is
# quadratic.  The small-probe row is the baseline for the per-statement cost
# without a long function.
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x /usr/bin/time ] || { echo "compiletime.sh: needs GNU time as /usr/bin/time" >&2; exit 1; }

# One probe of $1 statements.
one_probe() { # n
	awk -v n="$1" 'BEGIN {
		printf "BEGIN { $a = 1; $b = 2;\n"
		for (i = 0; i < n; i++)
			printf "\t$a = $a + $b * 7; if ($a > 7) { @m[7] = $a; }\n"
		printf "}\n" }'
}

# $1 probes of one statement each.
small_probes() { # n
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "BEGIN { $a = %d; $b = 2; $a = $a + $b * 7; if ($a > 7) { @m[7] = $a; } }\n", i }'
}

# "wall-ms rss-kib" for compiling script $1: the median wall time of 3 runs,
# the largest RSS of them.  Exits if the compiler fails.
measure() { # script
	for run in 1 2 3; do
		t0=$(date +%s%N)
		/usr/bin/time -f %M -o "$tmp/rss" "$ebpfq" -d bpf "$1" >/dev/null 2>"$tmp/err" ||
			{ sed 's/^/ebpfq: /' "$tmp/err" >&2; exit 1; }
		t1=$(date +%s%N)
		echo "$(( (t1 - t0) / 1000000 )) $(tail -1 "$tmp/rss")"
	done | sort -n | awk '{ w[NR] = $1; if ($2 > r) r = $2 } END { print w[2], r }'
}

printf '%-22s %9s %10s %6s\n' script "wall (ms)" "RSS (KiB)" x2
prev=
for n in ${*:-500 1000 2000 4000 8000}; do
	one_probe "$n" >"$tmp/p.ebq"
	set -- $(measure "$tmp/p.ebq")
	ratio=-
	[ -n "$prev" ] && ratio=$(awk -v a="$1" -v b="$prev" 'BEGIN {
		printf "%.2f", a / (b > 0 ? b : 1) }')
	printf '%-22s %9s %10s %6s\n' "1 probe, N=$n" "$1" "$2" "$ratio"
	prev=$1
done
probes=${PROBES:-2000}
small_probes "$probes" >"$tmp/s.ebq"
set -- $(measure "$tmp/s.ebq")
printf '%-22s %9s %10s %6s\n' "$probes probes, N=1 each" "$1" "$2" -
