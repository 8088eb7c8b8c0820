#!/bin/sh
# tests/aot.sh - the runtime cases (tests/runtime.sh) ahead of time: each
# program compiled with `ebpfq --aot` into an object and run from it with
# `ebpfq run` (tests/aot-wrap.sh), which must print what the direct run
# prints.  First the object itself: libbpf opens it, bpftool dumps its BTF
# and loads it, readelf lists its sections, llvm-objdump disassembles it.
#   ONLY='GLOB...'   the runtime cases to run (default: all but the excluded)
#   EBPFQ_AOT_RUNNER run the objects with this (e.g. BUILDDIR/ebpfq-run)
. "$(dirname "$0")/lib.sh"

# Cases that cannot pass through an object, and why:
#   fentry_*, kprobe_fentry_*  fentry/fexit name their function by this
#              kernel's BTF id: --aot refuses them (tests/cli/aot_fentry_refused)
#   valgrind   puts tests/ebpfq-shared in place of an $EBPFQ that is not a
#              dynamic binary, as the wrapper is not: it would test the
#              direct run (`ebpfq-shared run` under memcheck is clean)
#   signals    waits until $EBPFQ's binary is exec'd, which the wrapper's
#              second program (the runner) never is
excluded="fentry_* kprobe_fentry_* valgrind signals"
# Every other case (ONLY=GLOB... to choose): about 90 s here, as they are
# short once the workloads are built.

# ebpfq-run links the runtime alone: no parser, IR, allocator, emitter
if [ -x "$builddir/ebpfq-run" ] && command -v nm >/dev/null; then
	front=$(nm "$builddir/ebpfq-run" | grep -E ' T (yyparse|sema_check|lower_probe|ir_func_new|regalloc_program|emit_func|vcheck_prog)$')
	if [ -z "$front" ] && nm "$builddir/ebpfq-run" | grep -q ' T rt_object_read$'; then
		pass "aot: ebpfq-run links no front end or back end"
	else
		fail "aot: ebpfq-run links the compiler: $front"
	fi
fi

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
	   grep -q '^map m_ type 5 ' "$TMP/libbpf" && grep -q '^map ebpfq_events type 27' "$TMP/libbpf"; then
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

# bpftool (libbpf) loads it, as it would a clang-built object: the data
# map is its global data (.bss), the others its .maps; pinned, then unpinned
if command -v bpftool >/dev/null && [ -d /sys/fs/bpf ]; then
	pins=/sys/fs/bpf/ebpfq-aot-$$
	mkdir -p "$pins"
	if bpftool prog loadall "$obj" "$pins" >"$TMP/loadall" 2>&1 && [ -e "$pins/probe1" ]; then
		pass "aot: bpftool prog loadall loads the object's programs into the kernel"
	else
		fail "aot: bpftool prog loadall"; tail -20 "$TMP/loadall"
	fi
	rm -rf "$pins"
fi

objdump=""
for o in llvm-objdump llvm-objdump-14; do command -v "$o" >/dev/null 2>&1 && objdump=$o && break; done
if [ -n "$objdump" ]; then
	if "$objdump" -dr "$obj" >"$TMP/objdump" 2>&1 && grep -q '<probe1>:' "$TMP/objdump" &&
	   grep -q 'R_BPF_64_64.*m_' "$TMP/objdump" && grep -q 'call ' "$TMP/objdump"; then
		pass "aot: $objdump disassembles the object, with its map relocations"
	else
		fail "aot: $objdump disassembles the object"; head -20 "$TMP/objdump"
	fi
fi

# ---- CO-RE: an object built for other struct layouts runs here ------------
# tests/aot/btf_shift writes this kernel's BTF with task_struct's members 64
# bytes further on; compiled against it (EBPFQ_BTF), the object's offsets
# are wrong here, and only its CO-RE relocations, applied by the kernel at
# load (or by libbpf, for bpftool), find comm, tgid, real_parent and the
# bit-field in_execve (1 while the kernel runs an exec).  The
# direct run against the same BTF, which has no relocations, must read
# something else: else the shift tested nothing.
shift_tool=$builddir/tests/aot/btf_shift
if [ -x "$shift_tool" ] && command -v perl >/dev/null; then
	shifted=$TMP/shifted.btf core=$TMP/core.o
	core_prog='tracepoint:sched:sched_process_exec /comm == "perl"/ {
		printf("%s %d %s %d\n", curtask->comm, curtask->tgid == pid, curtask->real_parent->comm,
		       curtask->in_execve); exit(); }'
	printf '#!/bin/sh\nsleep 0.2\nexec perl -e getppid\n' >"$TMP/getppid.sh"
	chmod +x "$TMP/getppid.sh"
	want="perl 1 $(basename "$EBPFQ" | cut -c1-15) 1" # comm, tgid == pid, parent's comm, in_execve
	"$shift_tool" task_struct 64 "$shifted" 2>"$TMP/err" || cat "$TMP/err"
	if EBPFQ_BTF=$shifted "$EBPFQ" --aot "$core" -e "$core_prog" 2>"$TMP/err" &&
	   timeout 20 "$EBPFQ" run -c "$TMP/getppid.sh" "$core" >"$TMP/core.out" 2>"$TMP/err" &&
	   grep -qx "$want" "$TMP/core.out"; then
		pass "aot: CO-RE: an object compiled for shifted task_struct members reads them here"
	else
		fail "aot: CO-RE: an object compiled for shifted task_struct members"
		cat "$TMP/core.out" "$TMP/err"
	fi
	if EBPFQ_BTF=$shifted timeout 20 "$EBPFQ" -c "$TMP/getppid.sh" -e "$core_prog" >"$TMP/direct.out" 2>&1 &&
	   grep -q . "$TMP/direct.out" && ! grep -qx "$want" "$TMP/direct.out"; then
		pass "aot: CO-RE: without relocations, the shifted layout reads other bytes"
	else
		fail "aot: CO-RE: the direct run against the shifted BTF"; cat "$TMP/direct.out"
	fi
	if command -v bpftool >/dev/null && bpftool btf dump file "$core" >"$TMP/btf" 2>&1 &&
	   grep -q "STRUCT 'task_struct' size=" "$TMP/btf"; then
		pass "aot: CO-RE: the object's BTF holds the struct its relocations name"
	else
		fail "aot: CO-RE: the object's BTF"; head -20 "$TMP/btf"
	fi
	# libbpf applies the .BTF.ext relocations itself: loaded by bpftool,
	# the program reads comm at this kernel's offset, not the shifted one
	comm_off=$("$EBPFQ" -d bpf -e 'BEGIN { printf("%s\n", curtask->comm); exit(); }' |
		   sed -n 's/.* += \([0-9][0-9]*\)$/\1/p' | tail -1)
	pins=/sys/fs/bpf/ebpfq-core-$$
	if command -v bpftool >/dev/null && [ -d /sys/fs/bpf ] && mkdir -p "$pins" &&
	   bpftool prog loadall "$core" "$pins" >"$TMP/loadall" 2>&1 &&
	   bpftool prog dump xlated pinned "$pins/probe0" >"$TMP/xlated" 2>&1 &&
	   [ -n "$comm_off" ] && grep -q "+= $comm_off\$" "$TMP/xlated"; then
		pass "aot: CO-RE: libbpf (bpftool prog loadall) relocates the object too"
	else
		fail "aot: CO-RE: bpftool prog loadall (comm at '$comm_off')"; tail -20 "$TMP/loadall" "$TMP/xlated"
	fi
	rm -rf "$pins"
fi

# ---- the runtime cases, through objects -------------------------------------
aotdir=$TMP/objects
mkdir -p "$aotdir"
list=""
set -f # the globs name cases, not files here
set -- ${ONLY:-*}
set +f
for glob in "$@"; do
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
# runtime.sh's own report, each case named "aot: NAME"; the whole log kept
# for a failure's stdout and stderr
runtime() { # RUNNER-LABEL CASES
	EBPFQ="$srcdir/tests/aot-wrap.sh" ONLY="$2" sh "$srcdir/tests/runtime.sh" >"$TMP/runtime.log" 2>&1
	status=$?
	sed -n "s/^\(PASS\|FAIL\|SKIP\): /&$1: /p" "$TMP/runtime.log"
	grep -q '^FAIL' "$TMP/runtime.log" && grep -A12 '^FAIL' "$TMP/runtime.log" | grep -v '^PASS' | head -60
	p=$(grep -c '^PASS' "$TMP/runtime.log") f=$(grep -c '^FAIL' "$TMP/runtime.log")
	s=$(grep -c '^SKIP' "$TMP/runtime.log")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$status" = 0 ] || [ "$f" -gt 0 ] || fail "$1: tests/runtime.sh exit status $status"
}
[ -n "$list" ] && runtime "aot" "$list"
# and a few through the runtime-only binary
if [ -z "$ONLY" ] && [ -x "$builddir/ebpfq-run" ]; then
	EBPFQ_AOT_RUNNER=$builddir/ebpfq-run runtime "aot ebpfq-run" "hello agg_json func_sarg_cpid pid_filter"
fi
finish
