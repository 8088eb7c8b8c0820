#!/bin/sh
# bench/stacks.sh - what stacks cost, ebpfq against bpftrace in the same run.
# A benchmark to run by hand, as root, not a test:
#   sudo sh bench/stacks.sh      (EBPFQ=path/to/ebpfq to choose a build;
#                                 SECONDS_PROFILED, STACKS: see below)
# Two measures.
#  1. Sampling: `profile:hz:999 { @[kstack] = count(); }` for
#     SECONDS_PROFILED seconds (default 10), both tools at once (they sample
#     the same load: what the machine runs, or with LOAD=spin a loop of
#     system calls on each CPU).  "CPU" is the tool process's own
#     user + system seconds, start-up included; the programs themselves run
#     in the sampled tasks' context, not the tool's: with
#     kernel.bpf_stats_enabled=1 (set for the run when BPF_STATS=1, then
#     restored) bpftool's run_time_ns / run_cnt gives their ns per sample.
#     "last line" is the time from SIGINT to the last byte of the map;
#     "max RSS" (both measures) the tool's peak resident memory, VmHWM
#     polled every 20 ms: what a map of thousands of stacks costs.
#  2. A map of many stacks: a C workload reaches a noinline leaf() through
#     STACKS distinct call chains (default 10,000: the digits of i pick one
#     of ten functions per level), each tool counts
#     `uprobe:WORK:leaf { @[ustack] = count(); }`, then gets SIGINT while
#     the workload still runs (bpftrace symbolizes only a live process).
#     "last line" is SIGINT to the last byte of output: detach (a uprobe's
#     detach alone waits ~0.15 s here), read the map, read each stack's
#     frames, symbolize every frame (~11 a stack), sort, print.  "keys" counts printed entries, "symbolized" the stacks whose
#     first frame printed as leaf+0 (not in hex).  Both tools' maps are
#     raised to hold the stacks (EBPFQ_MAP_KEYS_MAX, BPFTRACE_MAP_KEYS_MAX).
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
seconds=${SECONDS_PROFILED:-10}
stacks=${STACKS:-10000}
export EBPFQ_MAP_KEYS_MAX="${EBPFQ_MAP_KEYS_MAX:-$((stacks * 2))}"
export BPFTRACE_MAP_KEYS_MAX="${BPFTRACE_MAP_KEYS_MAX:-$((stacks * 2))}"
tmp=$(mktemp -d)
saved_stats=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
trap 'rm -rf "$tmp"; [ -z "$saved_stats" ] || sysctl -q -w kernel.bpf_stats_enabled="$saved_stats"' EXIT
. "$here/bench/lib.sh"

# work N MS FILE: reach leaf() through the N call chains, create FILE, then
# live MS ms.
# work stamp: read stdin to its end; print when the last byte came (ns),
# how many lines began with @, and how many were "    leaf+0".
# work spin: system calls until killed (a load in the kernel to sample).
cc -O1 -fno-omit-frame-pointer -o "$tmp/work" -x c - <<'EOF' || exit 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) void leaf(long v) { __asm__ volatile("" : : "r"(v) : "memory"); }
static void step(long v, int depth);
#define F(n) __attribute__((noinline)) void f##n(long v, int d) { step(v, d); __asm__ volatile(""); }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
static void (*const fs[10])(long, int) = {f0, f1, f2, f3, f4, f5, f6, f7, f8, f9};

/* one function per decimal digit of v: a call chain per number */
__attribute__((noinline)) static void step(long v, int depth)
{
	if (!depth) {
		leaf(v);
		return;
	}
	fs[v % 10](v / 10, depth - 1);
	__asm__ volatile("");
}

static int stamp(void)
{
	char buf[1 << 16];
	long keys = 0, symbolized = 0;
	size_t at = 0;
	char line[16];
	ssize_t n;
	struct timespec last = {0, 0};
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		clock_gettime(CLOCK_REALTIME, &last);
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] == '\n') {
				keys += at > 0 && line[0] == '@';
				symbolized += at == 10 && !memcmp(line, "    leaf+0", 10);
				at = 0;
			} else if (at < sizeof(line)) {
				line[at++] = buf[k];
			}
		}
	}
	printf("%lld %ld %ld\n", (long long)last.tv_sec * 1000000000LL + last.tv_nsec, keys, symbolized);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "stamp"))
		return stamp();
	if (argc > 1 && !strcmp(argv[1], "spin"))
		for (;;)
			getppid();
	long n = argc > 1 ? atol(argv[1]) : 10000;
	int depth = 0;
	for (long m = n - 1; m > 0; m /= 10)
		depth++;
	for (long i = 0; i < n; i++)
		step(i, depth);
	if (argc > 3)
		fclose(fopen(argv[3], "w"));
	usleep((useconds_t)(argc > 2 ? atol(argv[2]) : 0) * 1000);
	return 0;
}
EOF

# Start tool-command... with its stdout into a stamp; $1 names the files,
# and $NAME_pid and $NAME_stamp the processes.
start_tool() { # name tool-command...
	name=$1; shift
	start_stamped "$name" "$tmp/work stamp" "$@"
	eval "${name}_stamp=\$stamper ${name}_pid=\$started"
	rm -f "$tmp/$name.rss"
	watch_rss "$started" "$tmp/$name.rss" &
}

# SIGINT the tool, wait for it and its stamp (in this shell: they are its
# children): into $measured, CPU seconds (user + system, from /proc before
# it is reaped), ms to the last line, keys, symbolized stacks, peak resident
# KiB (VmHWM over the whole run).
stop_and_measure() { # name
	eval "pid=\$${1}_pid stamp_pid=\$${1}_stamp"
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null)
	t0=$(date +%s%N)
	kill -INT "$pid"
	wait "$pid"
	wait "$stamp_pid"
	read -r last keys symbolized <"$tmp/$1.stamp"
	[ "${keys:-0}" -gt 0 ] || sed 's/^/    /' "$tmp/$1.err" >&2
	sleep 0.05 # the RSS watcher's last look
	rss=$(cat "$tmp/$1.rss" 2>/dev/null)
	measured=$(awk -v t0="$t0" -v last="$last" -v cpu="$cpu" -v k="$keys" -v s="$symbolized" \
		-v rss="${rss:--}" 'BEGIN {
		printf "%s %.1f %d %d %s\n", cpu, last ? (last - t0) / 1e6 : -1, k, s, rss }')
}

# Wait until process $1 has attached a perf event (a profile probe); fails
# if it ends first or after 120 s.
attached_any() { # pid
	polls=0
	while running "$1" && [ $polls -lt 1200 ]; do
		bpftool perf list 2>/dev/null | awk -v pid="$1" '$2 == pid { found = 1 } END { exit !found }' &&
			return 0
		sleep 0.1
		polls=$((polls + 1))
	done
	return 1
}

row() { # what tool CPU last-line keys symbolized rss-kib bpf-ns
	printf '%-44s %-9s %7s %10s %7s %10s %9s %8s\n' "$@"
}

have_bpftrace=$(command -v bpftrace)
[ "${BPF_STATS:-0}" = 1 ] && sysctl -q -w kernel.bpf_stats_enabled=1
row "" tool CPU "last line" keys symbolized "max RSS" "BPF"
row "" "" s ms "" "" KiB ns/run

# 1. sampling, both tools at once under the same load (LOAD=spin: a
# loop of system calls on every CPU, which makes nearly every kernel
# sample a stack of its own)
script='profile:hz:999 { @[kstack] = count(); }'
spinners=""
for cpu in $(seq 0 $(($(nproc) - 1))); do
	[ "${LOAD:-}" = spin ] || break
	taskset -c "$cpu" "$tmp/work" spin & spinners="$spinners $!"
done
start_tool e "$ebpfq" -q -e "$script"
[ -n "$have_bpftrace" ] && start_tool b bpftrace -e "$script"
attached_any "$e_pid" || sed 's/^/    /' "$tmp/e.err" >&2
[ -n "$have_bpftrace" ] && { attached_any "$b_pid" || sed 's/^/    /' "$tmp/b.err" >&2; }
sleep "$seconds"
e_ns=$(bpf_ns "$e_pid")
[ -n "$have_bpftrace" ] && b_ns=$(bpf_ns "$b_pid")
stop_and_measure e
# shellcheck disable=SC2086
row "$script" ebpfq $measured "$e_ns"
if [ -n "$have_bpftrace" ]; then
	stop_and_measure b
	# shellcheck disable=SC2086
	row "($seconds s)" bpftrace $measured "$b_ns"
fi
# shellcheck disable=SC2086
kill $spinners 2>/dev/null
wait 2>/dev/null

# 2. a map of many stacks, printed while the workload lives
script="uprobe:$tmp/work:leaf { @[ustack] = count(); }"
for tool in ebpfq bpftrace; do
	[ $tool = bpftrace ] && [ -z "$have_bpftrace" ] && continue
	if [ $tool = ebpfq ]; then start_tool t "$ebpfq" -q -e "$script"; else start_tool t bpftrace -e "$script"; fi
	if ! attached_prog "$t_pid" "$tmp/work" >/dev/null; then
		stop_tool "$t_pid"
		sed 's/^/    /' "$tmp/t.err" >&2
		continue
	fi
	rm -f "$tmp/done"
	"$tmp/work" "$stacks" 600000 "$tmp/done" & work=$!
	until [ -e "$tmp/done" ]; do sleep 0.1; done
	sleep 1 # the calls are done (and the events read); the workload sleeps, alive
	ns=$(bpf_ns "$t_pid")
	stop_and_measure t
	# shellcheck disable=SC2086
	row "uprobe:WORK:leaf { @[ustack] = count(); }" $tool $measured "$ns"
	kill "$work" 2>/dev/null
	wait "$work" 2>/dev/null
done
