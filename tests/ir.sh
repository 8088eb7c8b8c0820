#!/bin/sh
# tests/ir.sh - code generation goldens: each tests/ir/NAME.ebq is compiled
# with `ebpfq -d ir -d bpf` (no kernel needed) and the IR after dead-code
# removal plus the allocated, emitted instructions must equal NAME.out.
# These hold the register allocator and emitter to exact output: a change
# in instruction count shows here first.  EBPFQ_UPDATE_GOLDEN=1 rewrites.
. "$(dirname "$0")/lib.sh"
dir=$srcdir/tests/ir
for f in "$dir"/*.ebq; do
	name=$(basename "$f" .ebq)
	(cd "$dir" && "$EBPFQ" -d ir -d bpf "$name.ebq") >"$TMP/out" 2>&1
	[ -n "$EBPFQ_UPDATE_GOLDEN" ] && cp "$TMP/out" "$dir/$name.out"
	if cmp -s "$TMP/out" "$dir/$name.out"; then
		pass "$name"
	else
		fail "$name"
		diff -u "$dir/$name.out" "$TMP/out" | head -40
	fi
done
finish
