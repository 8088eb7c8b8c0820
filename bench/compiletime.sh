#!/bin/sh
# bench/compiletime.sh - how compile time and memory grow with the length of
# one probe.  A benchmark to run by hand, not a test; it needs no root and
# no BPF (`-d bpf` compiles, checks with vcheck and prints, loads nothing):
#   sh bench/compiletime.sh [N...]          (EBPFQ=path/to/ebpfq to choose a build)
#   EBPFQ_BACKEND=llvm sh bench/compiletime.sh    (the llvm back end, where built)
#   PROBES=500 sh bench/compiletime.sh             (500 small probes, not 2,000)
#   RUNS=21 sh bench/compiletime.sh                (21 runs of each, not 11)
# What it measures: `ebpfq -d bpf` (output to /dev/null) on one BEGIN probe of
# N statements `$a = $a + $b * 7; if ($a > 7) { @m[7] = $a; }` (20 BPF
# instructions each: a map update and its failure counter in a branch), for
# N = 500 ... 8000 by default, and on 2,000 small probes of one such
# statement each, the same code cut into short functions.  Each script is
# compiled RUNS times (default 11), the scripts taking turns, so a slow
# spell of the machine falls on all of them alike.  CPU is the compile's
# task-clock in milliseconds (perf stat; wall time where perf is missing),
# the least and the median of the runs; RSS the largest resident size in
# KiB (/usr/bin/time -f %M, GNU time); x2 is the median / the median of
# the N before it (least / least in brackets), about 2 when compile time
# is linear in the probe's length, 4 when it is quadratic.  The least is
# the compile with the fewest interruptions; the median what a user sees
# on this machine.  The small-probe row is the baseline for the
# per-statement cost without a long function.
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

# One compile of script $1: "cpu-ms wall-ms rss-kib".  Exits if it fails.
measure() { # script
	t0=$(date +%s%N)
	if [ -n "$perf" ]; then
		perf stat -x, -e task-clock -o "$tmp/stat" /usr/bin/time -f %M -o "$tmp/rss" \
			"$ebpfq" -d bpf "$1" >/dev/null 2>"$tmp/err"
	else
		/usr/bin/time -f %M -o "$tmp/rss" "$ebpfq" -d bpf "$1" >/dev/null 2>"$tmp/err"
	fi || { sed 's/^/ebpfq: /' "$tmp/err" >&2; exit 1; }
	t1=$(date +%s%N)
	wall=$(( (t1 - t0) / 1000 ))
	cpu=$wall
	[ -n "$perf" ] && cpu=$(awk -F, '/task-clock/ { printf "%d", $1 * 1000 }' "$tmp/stat")
	echo "$cpu $wall $(tail -1 "$tmp/rss")"
}
perf=
perf stat -x, -e task-clock -o /dev/null true 2>/dev/null && perf=1

sizes=${*:-500 1000 2000 4000 8000}
probes=${PROBES:-2000}
for n in $sizes; do
	one_probe "$n" >"$tmp/p$n.ebq"
done
small_probes "$probes" >"$tmp/s.ebq"
runs=${RUNS:-11}
for run in $(seq "$runs"); do
	for n in $sizes s; do
		case $n in s) script=$tmp/s.ebq ;; *) script=$tmp/p$n.ebq ;; esac
		echo "$n $(measure "$script")" >>"$tmp/runs" || exit 1
	done
done

# "least median rss" of script $1's runs (times in ms)
summary() { # n
	awk -v n="$1" '$1 == n { print $2, $4 }' "$tmp/runs" | sort -n |
		awk '{ t[NR] = $1; if ($2 > r) r = $2 }
		     END { printf "%.1f %.1f %d\n", t[1] / 1000, t[int((NR + 1) / 2)] / 1000, r }'
}

what=CPU
[ -n "$perf" ] || what=wall
printf '%-22s %12s %12s %10s %13s\n' script "least ($what)" "median" "RSS (KiB)" "x2 (least)"
prev_least= prev_median=
for n in $sizes; do
	set -- $(summary "$n")
	ratio=-
	[ -n "$prev_median" ] && ratio=$(awk -v m="$2" -v pm="$prev_median" -v l="$1" -v pl="$prev_least" '
		BEGIN { printf "%.2f (%.2f)", m / (pm > 0 ? pm : 1), l / (pl > 0 ? pl : 1) }')
	printf '%-22s %9s ms %9s ms %10s %13s\n' "1 probe, N=$n" "$1" "$2" "$3" "$ratio"
	prev_least=$1 prev_median=$2
done
set -- $(summary s)
printf '%-22s %9s ms %9s ms %10s %13s\n' "$probes probes, N=1 each" "$1" "$2" "$3" -
