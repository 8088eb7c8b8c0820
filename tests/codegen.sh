#!/bin/sh
# tests/codegen.sh - differential testing of code generation: random
# programs from tests/codegen/gen.c (agg.c: their aggregations, and the
# maps they print at exit) run in the kernel (BEGIN runs with
# BPF_PROG_TEST_RUN) and must print what gen.c's own evaluation of them
# says.  A mismatch is a compiler bug (folding, lowering, register
# allocation, spilling, emission) or a gen.c bug; either way, look.
#
#   N=COUNT SEED=FIRST sh tests/codegen.sh    (default: 150 programs from seed 1)
#
# A failing program is kept as $EBPFQ_BUILDDIR/tests/codegen/failed/SEED.ebq
# with its .expect, .out and .err; `gen SEED 1 DIR` writes it again.
. "$(dirname "$0")/lib.sh"
N=${N:-150}
SEED=${SEED:-1}
CHUNK=500  # programs generated at a time, so a long run needs little disk

if ! have_bpf; then
	no_bpf "codegen ($N random programs)"
	finish
fi
GEN=$TMP/gen
${CC:-cc} -std=c11 -O1 -o "$GEN" "$srcdir/tests/codegen/gen.c" "$srcdir/tests/codegen/agg.c" || { fail "building gen.c"; finish; }
KEEP=$builddir/tests/codegen/failed
accepted=0

seed=$SEED
end=$((SEED + N))
while [ "$seed" -lt "$end" ]; do
	count=$((end - seed))
	[ "$count" -gt "$CHUNK" ] && count=$CHUNK
	rm -rf "$TMP/progs" && mkdir "$TMP/progs" && "$GEN" "$seed" "$count" "$TMP/progs" ||
		{ fail "gen $seed $count"; break; }
	last=$((seed + count))
	while [ "$seed" -lt "$last" ]; do
		p=$TMP/progs/$seed
		timeout -s KILL 30 "$EBPFQ" -q "$p.ebq" >"$p.out" 2>"$p.err" </dev/null
		status=$?
		# exit 1 is a load (verifier) failure; 0 means the kernel took it
		[ "$status" = 0 ] && accepted=$((accepted + 1))
		if [ "$status" = 0 ] && cmp -s "$p.out" "$p.expect"; then
			pass "codegen seed $seed"
		elif [ "$status" = 2 ] && grep -q 'the llvm back end cannot compile probe .* bytes of stack' "$p.err"; then
			# EBPFQ_BACKEND=llvm (tests/llvm.sh): LLVM's register allocator
			# spilled past 512 bytes; a refusal, not a wrong answer
			echo "SKIP: codegen seed $seed: $(grep -o "LLVM's code needs [0-9]* bytes of stack" "$p.err")"
			skipped=$((skipped + 1))
		else
			fail "codegen seed $seed: exit status $status (program kept in $KEEP/$seed.ebq)"
			diff "$p.expect" "$p.out" | head -6
			head -5 "$p.err"
			mkdir -p "$KEEP" && cp "$p.ebq" "$p.expect" "$p.out" "$p.err" "$KEEP/"
		fi
		seed=$((seed + 1))
	done
done
echo "the kernel accepted $accepted of $N programs (seeds $SEED..$((end - 1)))"
finish
