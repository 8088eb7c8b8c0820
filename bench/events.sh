#!/bin/sh
# bench/events.sh - what one event costs, ebpfq against bpftrace in the same
# run.  A benchmark to run by hand, as root, not a test:
#   sudo sh bench/events.sh        (EBPFQ=path/to/ebpfq to choose a build;
#                                   CALLS, the events per row: 1,000,000;
#                                   ROWS=REGEX, only the scripts it matches)
# For each script, the tool runs alone while a small program makes CALLS
# events: calls of a noinline function (uprobes) or getppid() system calls
# (tracepoints).  Two measures:
#   "BPF ns"   the programs' own time per run, from the kernel's statistics
#              (kernel.bpf_stats_enabled is set for the run, then restored;
#              bpftool's run_time_ns / run_cnt over every program the tool
#              holds, a syscall dispatcher included);
#   "call ns"  the traced program's wall time per call, less its time
#              untraced: what a user pays, the uprobe's trap and the kernel's
#              tracepoint machinery included.  For profile (999 Hz on each
#              CPU, while the getppid() loop runs) it is what the sampling
#              costs the loop, spread over its calls.
# Rows where a tool cannot run the script (bpftrace has no kprobes here, so
# no kprobe:sys_NAME) show "-".
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
calls=${CALLS:-1000000}
tmp=$(mktemp -d)
saved_stats=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
trap 'rm -rf "$tmp"; [ -z "$saved_stats" ] || sysctl -q -w kernel.bpf_stats_enabled="$saved_stats"' EXIT

. "$here/bench/lib.sh"

# work N u: N calls of f(); work N s: N getppid() system calls.
cat >"$tmp/work.c" <<'EOF'
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noinline)) long f(long i)
{
	__asm__ volatile("" :: "r"(i) : "memory");
	return i;
}

int main(int argc, char **argv)
{
	long n = atol(argv[1]);
	for (long i = 0; i < n; i++)
		if (argv[2][0] == 'u')
			f(i);
		else
			syscall(SYS_getppid);
	return 0;
}
EOF
cc -O1 -o "$tmp/work" "$tmp/work.c" || exit 1
sysctl -q -w kernel.bpf_stats_enabled=1

now() { date +%s%N; }

# Wall ns per call of the workload in mode $1.
# Mode p is s for ten times as long: a profile row's samples (999 Hz on
# each CPU) need seconds, not the tenth of one that CALLS system calls take.
per_call() { # mode
	n=$([ "$1" = p ] && echo $((calls * 10)) || echo "$calls")
	t0=$(now)
	"$tmp/work" "$n" "$([ "$1" = p ] && echo s || echo "$1")"
	t1=$(now)
	echo $(((t1 - t0) / n))
}

# "BPF-ns call-ns" of tool-command... with the workload in mode $1, the
# program found by $2 (a tracepoint's name, or the workload's file).
measure() { # mode target tool-command...
	mode=$1 target=$2
	shift 2
	env --default-signal=INT "$@" </dev/null >"$tmp/out" 2>&1 &
	pid=$!
	if ! attached_prog "$pid" "$target" >/dev/null; then
		stop_tool "$pid"
		echo "- -"
		return
	fi
	call=$(per_call "$mode")
	ns=$(bpf_ns "$pid")
	stop_tool "$pid"
	base=$([ "$mode" = u ] && echo "$base_u" || echo "$base_s") # p: the getppid() loop
	echo "$ns $((call - base))"
}

row() { # script tool bpf-ns call-ns
	printf '%-62s %-9s %7s %8s\n' "$@"
}

base_u=$(per_call u) base_s=$(per_call s)
echo "untraced: $base_u ns per call of f(), $base_s ns per getppid(); $calls events a row"
row script tool "BPF ns" "call ns"
have_bpftrace=$(command -v bpftrace)
while IFS='|' read -r mode target script; do
	[ -n "$mode" ] || continue
	[ -z "${ROWS:-}" ] || echo "$script" | grep -q -E "$ROWS" || continue
	script=$(echo "$script" | sed "s|WORK|$tmp/work|g")
	target=$(echo "$target" | sed "s|WORK|$tmp/work|g")
	# shellcheck disable=SC2046
	row "$script" ebpfq $(measure "$mode" "$target" "$ebpfq" -q -e "$script")
	if [ -n "$have_bpftrace" ]; then
		# shellcheck disable=SC2046
		row "" bpftrace $(measure "$mode" "$target" bpftrace -e "$script")
	fi
done <<'EOF'
u|WORK|uprobe:WORK:f { @ = count(); }
u|WORK|uprobe:WORK:f { @[tid] = count(); }
u|WORK|uprobe:WORK:f { @[comm] = count(); }
u|WORK|uprobe:WORK:f { @ = hist(arg0); }
u|WORK|uprobe:WORK:f { @[comm] = avg(arg0); }
u|WORK|uprobe:WORK:f { @[ustack] = count(); }
s|sys_enter_getppid|tracepoint:syscalls:sys_enter_getppid { @[tid] = count(); }
s|sys_enter_getppid|tracepoint:syscalls:sys_enter_getppid { @[kstack] = count(); }
s|sys_enter_getppid|kprobe:sys_getppid { @[tid] = count(); }
p|perf_event|profile:hz:999 { @[tid] = count(); }
p|perf_event|profile:hz:999 { @[kstack] = count(); }
EOF
