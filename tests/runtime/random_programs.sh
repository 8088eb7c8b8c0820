#!/bin/sh
# random_programs.sh - what the compiler accepts, the kernel verifier
# accepts: random well-typed programs (random_programs.awk) over every
# construct the compiler implements, each loaded with `ebpfq -n`.  The
# seed is fixed, so a failure replays; EBPFQ_RANDOM_SEED picks others, and
# EBPFQ_RANDOM_COUNT more programs (300).
seed=${EBPFQ_RANDOM_SEED:-4} count=${EBPFQ_RANDOM_COUNT:-300}
dir=$WORK/random
rm -rf "$dir" && mkdir -p "$dir"
awk -v seed="$seed" -v count="$count" -v prefix="$dir/p" -f random_programs.awk
compiled=0 loaded=0
for i in $(seq 1 "$count"); do
	timeout 20 "$EBPFQ" -n "$dir/p$i.ebq" >/dev/null 2>"$dir/err"
	case $? in
	0) compiled=$((compiled + 1)) loaded=$((loaded + 1)) ;;
	1) compiled=$((compiled + 1)) ;;
	esac
	[ -s "$dir/err" ] && { echo "--- p$i.ebq (seed $seed):"; cat "$dir/p$i.ebq" "$dir/err"; }
done
echo "$count programs: $compiled compiled, $loaded passed the kernel verifier"
