#!/bin/sh
# tests/aot.sh - the runtime cases (tests/runtime.sh) ahead of time: each
# program compiled with `ebpfq --aot` into an object and run from it with
# `ebpfq run` (tests/aot-wrap.sh), which must print what the direct run
# prints.  Then the object itself: libbpf opens it, bpftool dumps its BTF,
# readelf lists its sections.
#   ONLY=GLOB        the runtime cases to run (default: the sample below,
#                    which keeps `make check` within a few minutes)
#   EBPFQ_AOT_RUNNER run the objects with this (e.g. BUILDDIR/ebpfq-run)
. "$(dirname "$0")/lib.sh"

# Cases that cannot pass through an object, and why:
#   fentry_*   fentry/fexit name their function by this kernel's BTF id:
#              --aot refuses them (and the kernel here has no fentry)
#   kprobe_*   no kprobes in this kernel, and the fallback is fentry
#   dump_*     -d prints a compiler stage: nothing to run
excluded="fentry_* kprobe_* dump_*"
sample='agg_* printf* str* uprobe* tracepoint* example_* stack* map_* hist* print_* json* positional* pid* cpid* args* join* time* usdt* interval* watch*'

have_bpf || { no_bpf "aot: the runtime cases through objects"; finish; }

# ---- the object, read by the standard tools ---------------------------------
obj=$TMP/inspect.o
prog='BEGIN { printf("hi\n"); } tracepoint:sched:sched_switch { @[comm] = count(); } interval:ms:100 { exit(); }'
if "$EBPFQ" --aot "$obj" -e "$prog" 2>"$TMP/err"; then
	pass "aot: --aot writes an object"
else
	fail "aot: --aot writes an object"; cat "$TMP/err"
fi
if [ -x "$builddir/tests/aot/libbpf_open" ]; then
	if "$builddir/tests/aot/libbpf_open" "$obj" >"$TMP/libbpf" 2>&1 &&
	   grep -q 'section tracepoint/sched/sched_switch type 5' "$TMP/libbpf" &&
	   grep -q 'section perf_event type 7' "$TMP/libbpf" &&
	   grep -q '^map m_ type 6 ' "$TMP/libbpf" && grep -q '^map ebpfq_events type 27' "$TMP/libbpf"; then
		pass "aot: libbpf opens the object (programs, BTF-defined maps)"
	else
		fail "aot: libbpf opens the object"; cat "$TMP/libbpf"
	fi
fi
if command -v bpftool >/dev/null; then
	if bpftool btf dump file "$obj" >"$TMP/btf" 2>&1 && grep -q "DATASEC '.maps'" "$TMP/btf" &&
	   grep -q "FUNC 'probe1'" "$TMP/btf"; then
		pass "aot: bpftool dumps the object's BTF"
	else
		fail "aot: bpftool dumps the object's BTF"; head -20 "$TMP/btf"
	fi
fi
if command -v readelf >/dev/null; then
	if readelf -S -W "$obj" >"$TMP/sections" 2>&1 && grep -q ' \.ebpfq ' "$TMP/sections" &&
	   grep -q ' \.BTF\.ext ' "$TMP/sections" && grep -q ' \.rel' "$TMP/sections" &&
	   readelf -h "$obj" | grep -q 'Linux BPF'; then
		pass "aot: readelf reads the object's sections"
	else
		fail "aot: readelf reads the object's sections"; cat "$TMP/sections"
	fi
fi

# ---- the runtime cases, through objects -------------------------------------
aotdir=$TMP/objects
mkdir -p "$aotdir"
list=""
for glob in ${ONLY:-$sample}; do
	for t in "$srcdir"/tests/runtime/$glob.t; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .t)
		skip=""
		for x in $excluded; do
			case $name in $x) skip=1 ;; esac
		done
		case " $list " in *" $name "*) skip=1 ;; esac
		[ -z "$skip" ] && list="$list $name"
	done
done
export EBPFQ_AOT_REAL="$EBPFQ" EBPFQ_AOT_DIR="$aotdir"
EBPFQ="$srcdir/tests/aot-wrap.sh" CASES="$list" ONLY="" sh "$srcdir/tests/runtime.sh" >"$TMP/runtime.log" 2>&1
status=$?
# each case as runtime.sh reported it, named aot: NAME
sed -n 's/^\(PASS\|FAIL\|SKIP\): /&aot: /p; /^---/,/^\(PASS\|FAIL\)/p' "$TMP/runtime.log" | grep -v '^PASS: aot:.*' ; \
	grep '^PASS' "$TMP/runtime.log" | sed 's/^PASS: /PASS: aot: /'
p=$(grep -c '^PASS' "$TMP/runtime.log") f=$(grep -c '^FAIL' "$TMP/runtime.log")
passed=$((passed + p)) failed=$((failed + f))
[ "$status" = 0 ] || [ "$f" -gt 0 ] || fail "aot: tests/runtime.sh exit status $status"
finish
