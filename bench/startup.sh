#!/bin/sh
# bench/startup.sh - start-up time and memory: `BEGIN { exit(); }` end to end,
# ebpfq against bpftrace (and ply, if installed) in the same run.  A
# benchmark to run by hand (as root), not a test.
#   sudo bench/startup.sh [RUNS]
runs=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}

. "$here/bench/lib.sh"

printf '%-10s %12s %12s\n' tool "wall (us)" "max RSS (KiB)"
set -- $(measure "$ebpfq" -q -e 'BEGIN { exit(); }')
e_us=$1 e_rss=$2
printf '%-10s %12s %12s\n' ebpfq "$e_us" "$e_rss"
if command -v bpftrace >/dev/null; then
	runs_b=$(( runs / 20 > 5 ? runs / 20 : 5 ))
	saved=$runs; runs=$runs_b
	set -- $(measure bpftrace -e 'BEGIN { exit(); }')
	runs=$saved
	printf '%-10s %12s %12s   (%sx the time, %sx the memory of ebpfq)\n' bpftrace "$1" "$2" \
		"$(( $1 / (e_us > 0 ? e_us : 1) ))" "$(( $2 / (e_rss > 0 ? e_rss : 1) ))"
fi
if command -v ply >/dev/null; then
	set -- $(measure ply -c true 'BEGIN { exit(0); }')
	printf '%-10s %12s %12s\n' ply "$1" "$2"
fi
