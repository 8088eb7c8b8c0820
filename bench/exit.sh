#!/bin/sh
# bench/exit.sh - how long ending a trace takes, ebpfq beside bpftrace in the
# same run.  A benchmark, not a test: run by hand, as root.
#   sudo sh bench/exit.sh [path/to/ebpfq]
# (a) one hit of a uprobe in a short `-c` command, end to end (wall time,
#     median of 5): `-c './work 1' -e 'uprobe:./work:f { @[tid] = count(); }'`,
#     beside the command alone.  Detaching a uprobe costs the kernel an RCU
#     grace period or two, which this run pays after the command has exited.
# (b) N = 1, 10, 100 tracepoints that are not system calls (sched, irq,
#     timer, ...) with a trivial body: started, given time to attach, then
#     SIGINT; the time from the signal to the process gone (median of 3),
#     the maps printed on the way.
# BENCH_BPFTRACE=0 leaves bpftrace out; BENCH_RUNS sets (a)'s runs.
EBPFQ=${1:-./ebpfq}
EBPFQ=$(cd "$(dirname "$EBPFQ")" && pwd)/$(basename "$EBPFQ")
RUNS=${BENCH_RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_bpftrace=""
[ "${BENCH_BPFTRACE:-1}" != 0 ] && have_bpftrace=$(command -v bpftrace)

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# (a) the workload: main calls f(i) N times
cat >"$tmp/work.c" <<'EOF'
#include <stdlib.h>
__attribute__((noinline)) int f(int x) { __asm__ volatile(""); return x + 1; }
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, s = 0;
	for (int i = 0; i < n; i++)
		s += f(i);
	return s == -1;
}
EOF
${CC:-cc} -O1 -o "$tmp/work" "$tmp/work.c" || exit 1
cd "$tmp" || exit 1

wall_ms() { # command...: the median wall time of $RUNS runs, in ms
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now_ns)
		"$@" >/dev/null 2>&1
		t1=$(now_ns)
		echo $(( (t1 - t0) / 1000000 ))
		i=$((i + 1))
	done | median
}
PROBE='uprobe:./work:f { @[tid] = count(); }'
echo "(a) -c './work 1' -e '$PROBE' (median of $RUNS, ms)"
echo "    the command alone: $(wall_ms ./work 1)"
echo "    ebpfq:             $(wall_ms "$EBPFQ" -c './work 1' -e "$PROBE")"
[ -n "$have_bpftrace" ] && echo "    bpftrace:          $(wall_ms bpftrace -c './work 1' -e "$PROBE")"

# (b) the first N tracepoints of these categories, as -l lists them
for cat in sched irq timer workqueue signal task kmem block writeback power net; do
	"$EBPFQ" -l "tracepoint:$cat:*"
done >"$tmp/tracepoints" 2>/dev/null
sigint_ms() { # command...: start, wait for "Attaching", SIGINT, time the exit
	env --default-signal=INT "$@" >"$tmp/out" 2>&1 &
	pid=$!
	n=0
	until grep -q '^Attaching' "$tmp/out" || [ $n -ge 600 ]; do sleep 0.1; n=$((n + 1)); done
	sleep 0.5
	t0=$(now_ns)
	kill -INT $pid
	wait $pid
	t1=$(now_ns)
	echo $(( (t1 - t0) / 1000000 ))
}
echo "(b) N tracepoints, { @ = count(); }: SIGINT to exit (median of 3, ms)"
for n in 1 10 100; do
	specs=$(head -n "$n" "$tmp/tracepoints" | paste -sd, -)
	[ "$(head -n "$n" "$tmp/tracepoints" | wc -l)" -eq "$n" ] || { echo "    fewer than $n tracepoints"; break; }
	e=$(for i in 1 2 3; do sigint_ms "$EBPFQ" -e "$specs { @ = count(); }"; done | median)
	b=""
	[ -n "$have_bpftrace" ] && b=$(sigint_ms bpftrace -e "$specs { @ = count(); }")
	echo "    N = $n: ebpfq $e${b:+, bpftrace $b (one run)}"
done
