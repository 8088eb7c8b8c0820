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
# (c) N = 1, 10, 100 uprobes on the functions of one binary: the same.
# Each ebpfq figure comes twice: as it attaches on this kernel (uprobe_multi
# links, raw tracepoints where the program does not read the record), and
# as on a kernel without them (EBPFQ_NO_UPROBE_MULTI=1,
# EBPFQ_NO_RAW_TRACEPOINTS=1: perf events, closed in parallel).
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
# (c) the workload: 100 functions, each called once
awk 'BEGIN { print "#include <stdlib.h>"
	for (i = 0; i < 100; i++) printf "__attribute__((noinline)) int g%d(int x) { __asm__ volatile(\"\"); return x + %d; }\n", i, i
	print "int main(void) { int s = 0;"; for (i = 0; i < 100; i++) printf "s += g%d(s);\n", i
	print "return s == -1; }" }' >"$tmp/funcs.c"
${CC:-cc} -O1 -o "$tmp/funcs" "$tmp/funcs.c" || exit 1
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
echo "    ebpfq, perf events: $(EBPFQ_NO_UPROBE_MULTI=1 wall_ms "$EBPFQ" -c './work 1' -e "$PROBE")"
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
	# bpftrace 0.17 once outlived its SIGINT here by minutes: SIGKILL after
	# 60 s, and the time is marked
	rm -f "$tmp/killed"
	(sleep 60; kill -KILL $pid 2>/dev/null && : >"$tmp/killed") >/dev/null 2>&1 &
	watchdog=$!
	t0=$(now_ns)
	kill -INT $pid
	wait $pid
	t1=$(now_ns)
	kill $watchdog 2>/dev/null
	echo "$(( (t1 - t0) / 1000000 ))$([ -e "$tmp/killed" ] && echo ' (killed)')"
}
sigint_median() { # command...: the median of 3 sigint_ms
	for i in 1 2 3; do sigint_ms "$@"; done | median
}
# a line of (b) or (c): N, the probes
compare() {
	e=$(sigint_median "$EBPFQ" -e "$2 { @ = count(); }")
	p=$(EBPFQ_NO_UPROBE_MULTI=1 EBPFQ_NO_RAW_TRACEPOINTS=1 sigint_median "$EBPFQ" -e "$2 { @ = count(); }")
	b=""
	[ -n "$have_bpftrace" ] && b=$(sigint_ms bpftrace -e "$2 { @ = count(); }")
	echo "    N = $1: ebpfq $e, ebpfq with perf events $p${b:+, bpftrace $b (one run)}"
}
echo "(b) N tracepoints, { @ = count(); }: SIGINT to exit (median of 3, ms)"
for n in 1 10 100; do
	[ "$(head -n "$n" "$tmp/tracepoints" | wc -l)" -eq "$n" ] || { echo "    fewer than $n tracepoints"; break; }
	compare "$n" "$(head -n "$n" "$tmp/tracepoints" | paste -sd, -)"
done
echo "(c) N uprobes in one binary, { @ = count(); }: SIGINT to exit (median of 3, ms)"
for n in 1 10 100; do
	compare "$n" "$(awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%suprobe:./funcs:g%d", i ? "," : "", i }')"
done
