#!/bin/sh
# tests/llvm.sh - the two back ends against each other (a build configured
# --with-llvm; `make check` runs it only there).  The same IR goes through
# ours (regalloc.c, emit.c) and through LLVM's BPF target
# (compiler/llvm_backend.c); what a program prints must not depend on which
# made its instructions.  A difference is a bug in one of them: find which,
# fix it, keep the case.
#
#   1. the random programs of tests/codegen.sh, compiled by LLVM, against
#      gen.c's own evaluation (which the native back end passes in codegen.sh);
#   2. a sample of tests/runtime.sh's cases, compiled by LLVM, against the
#      expectations the native back end meets;
#   3. what is the llvm back end's own: -d llvm, and its clear refusals.
#
#   LLVM_CODEGEN_N=COUNT LLVM_CODEGEN_SEED=FIRST   (default 150 programs from 1)
#   LLVM_RUNTIME='GLOB ...'                        (default: the sample below)
. "$(dirname "$0")/lib.sh"

if ! "$EBPFQ" --backend llvm -d ir -e 'BEGIN { exit(); }' >/dev/null 2>&1; then
	echo "SKIP: $EBPFQ has no llvm back end (configure --with-llvm)"
	skipped=$((skipped + 1))
	finish
fi

# Runtime cases that LLVM is known to refuse, and why: each must fail with
# the llvm back end's clear error, not run.  None today (codegen_spill_slots
# was, at 960 bytes of stack, until MachineSink was turned off: 104 bytes).
REFUSED=""

SAMPLE=${LLVM_RUNTIME:-"agg_* codegen_* str* map_* loops for_map_* print_* arithmetic
	runtime_arithmetic sum_and_count if_else_ternary var_some_paths scratch_big_values
	two_keys builtins types_* render_* func_* stacks_* syscall_dispatch_* exit_*
	json_output lines_by_thread uprobe_args usdt_args watch_address hello positional
	example_syscount example_runqlat random_programs"}

# Add a sub-suite's "N passed, N failed[, N skipped]" to ours.
add_counts() { # log
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then
		fail "$(basename "$1" .log): no summary"
		return
	fi
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
}

# ---- 3. the back end's own behaviour (no kernel needed) ----------------------
out=$("$EBPFQ" --backend llvm -d llvm -e 'BEGIN { @n = count(); }' 2>&1)
if echo "$out" | grep -q 'LLVM IR before optimisation' && echo "$out" | grep -q 'LLVM IR after -O2' &&
   echo "$out" | grep -q 'call i64 @llvm.bpf.pseudo'; then
	pass "llvm: -d llvm prints the LLVM IR before and after -O2"
else
	fail "llvm: -d llvm"; echo "$out" | head -5
fi
out=$(EBPFQ_BACKEND=llvm "$EBPFQ" -d bpf -e 'BEGIN { printf("%d\n", 7 / (nsecs & 0)); }' 2>&1)
if echo "$out" | grep -q '/= r'; then
	pass "llvm: EBPFQ_BACKEND=llvm selects it; a division that may be by 0 is BPF's own"
else
	fail "llvm: EBPFQ_BACKEND=llvm"; echo "$out" | head -5
fi
for name in $REFUSED; do
	(cd "$srcdir/tests/runtime" && exec timeout 60 "$EBPFQ" --backend llvm -d bpf "$name.ebq") \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	status=$?
	if [ "$status" = 2 ] && grep -q "error: the llvm back end cannot compile probe [^:]*: " "$TMP/err"; then
		pass "llvm: $name is refused with a clear error (exit 2)"
	else
		fail "llvm: $name: exit status $status, want 2 and the llvm back end's error"
		head -5 "$TMP/err"
	fi
done

if ! have_bpf; then
	no_bpf "llvm: codegen and runtime under the llvm back end"
	finish
fi

# ---- 1. random programs ----------------------------------------------------
EBPFQ_BACKEND=llvm N=${LLVM_CODEGEN_N:-150} SEED=${LLVM_CODEGEN_SEED:-1} \
	sh "$srcdir/tests/codegen.sh" >"$TMP/codegen.log" 2>&1
grep -E '^(FAIL|SKIP|the kernel)|^[<>]' "$TMP/codegen.log" | head -60
add_counts "$TMP/codegen.log"

# ---- 2. runtime cases --------------------------------------------------------
cases=
set -f
for glob in $SAMPLE; do
	set +f
	for t in "$srcdir"/tests/runtime/$glob.t; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .t)
		case " $REFUSED " in *" $name "*) continue ;; esac
		case " $cases " in *" $name "*) continue ;; esac
		cases="$cases $name"
	done
	set -f
done
set +f
EBPFQ_BACKEND=llvm ONLY="$cases" sh "$srcdir/tests/runtime.sh" >"$TMP/runtime.log" 2>&1
grep -vE '^(PASS|[0-9]+ passed)' "$TMP/runtime.log"
add_counts "$TMP/runtime.log"
finish
