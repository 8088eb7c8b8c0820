#!/bin/sh
# tests/fuzz.sh - fuzz the whole compiler (text -> checked image) with
# libFuzzer for a bounded time: tests/fuzz/fuzz_compile.c, built with clang
# -fsanitize=fuzzer,address,undefined.  Passes if no input crashes, hangs
# (-timeout), leaks or trips a sanitizer.
#   FUZZ_SECONDS    how long to fuzz (default 60)
#   FUZZ_CC         the clang to use (default clang, then clang-14)
#   FUZZ_ARTIFACTS  where a crashing input is kept (default
#                   BUILDDIR/tests/fuzz-crashes); replay one with
#                   `fuzz_compile FILE`, then make it a tests/front or
#                   tests/cli regression case.
# The seed corpus is every program text the other suites hold plus random
# well-typed programs (tests/runtime/random_programs.awk), and
# tests/fuzz/ebq.dict gives the mutator the language's words.  Without
# clang the suite is skipped, but fails under EBPFQ_TEST_REQUIRE_BPF=1 (CI
# installs clang-14 and libclang-rt-14-dev for it).
. "$(dirname "$0")/lib.sh"
seconds=${FUZZ_SECONDS:-60}
artifacts=${FUZZ_ARTIFACTS:-$builddir/tests/fuzz-crashes}

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && cc=$c && break
	done
fi
if [ -z "$cc" ]; then
	if [ -n "$EBPFQ_TEST_REQUIRE_BPF" ]; then
		fail "fuzz_compile (clang is not installed, and EBPFQ_TEST_REQUIRE_BPF is set)"
	else
		echo "SKIP: fuzz_compile (clang is not installed)"
		skipped=$((skipped + 1))
	fi
	finish
fi

# The compiler library's sources and the common ones it links; flex and
# bison's outputs are in the build directory (or in the source directory of
# a release tarball).
sources=""
for f in "$srcdir"/compiler/*.c "$srcdir"/compiler/*/*.c "$srcdir"/common/*.c; do
	# the LLVM back end is fuzzed by tests/llvm.sh's programs, not here: the
	# fuzzer is built without LLVM, whose stand-ins are in llvm_backend.h
	case $(basename "$f") in lex.c | parse.c | llvm_backend.c | llvm_elf.c) continue ;; esac
	sources="$sources $f"
done
for f in lex.c parse.c; do
	if [ -f "$builddir/compiler/$f" ]; then
		sources="$sources $builddir/compiler/$f"
	else
		sources="$sources $srcdir/compiler/$f"
	fi
done
fuzzer=$TMP/fuzz_compile
# -fno-sanitize-recover: undefined behaviour must stop the run, or the
# fuzzer would count it as a pass.
if ! $cc -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$srcdir/compiler" -I"$builddir/compiler" -I"$srcdir/common" \
	-o "$fuzzer" "$srcdir/tests/fuzz/fuzz_compile.c" $sources -lbpf -lelf -lz >"$TMP/build.log" 2>&1; then
	fail "building fuzz_compile with $cc"
	head -40 "$TMP/build.log"
	finish
fi
pass "building fuzz_compile with $cc"

# Seeds: the program text of every .ebq file and every `-e` argument.
corpus=$TMP/corpus
mkdir -p "$corpus"
n=0
for f in "$srcdir"/tests/front/*.ebq "$srcdir"/tests/ir/*.ebq "$srcdir"/tests/runtime/*.ebq "$srcdir"/tests/parity/*.bt \
	"$srcdir"/tests/cli/*.ebq "$srcdir"/lang-examples/*.ebq; do
	[ -f "$f" ] && n=$((n + 1)) && cp "$f" "$corpus/seed$n"
done
for t in "$srcdir"/tests/cli/*.t "$srcdir"/tests/runtime/*.t; do
	args=$(sed -n 's/^args: //p' "$t" | head -1)
	# the word after -e, as the shell would split the line
	prog=$(eval "set -- $args"; while [ $# -gt 1 ]; do
		[ "$1" = -e ] && { printf '%s' "$2"; break; }; shift; done)
	[ -n "$prog" ] && n=$((n + 1)) && printf '%s' "$prog" >"$corpus/seed$n"
done
# and well-typed random programs, which reach deep into lowering at once
awk -v seed=1 -v count=100 -v prefix="$corpus/random" -f "$srcdir/tests/runtime/random_programs.awk"
n=$((n + 100))
echo "seed corpus: $n programs; fuzzing for $seconds s"

mkdir -p "$artifacts"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$fuzzer" -max_len=4096 -timeout=5 -rss_limit_mb=2048 -max_total_time="$seconds" \
	-dict="$srcdir/tests/fuzz/ebq.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
	"$corpus" >"$TMP/fuzz.log" 2>&1
status=$?
grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$TMP/fuzz.log"
if [ "$status" = 0 ]; then
	pass "fuzz_compile: ${seconds}s without a crash, hang, leak or sanitizer report"
	rmdir "$artifacts" 2>/dev/null
else
	fail "fuzz_compile (exit status $status): input kept in $artifacts"
	grep -E -A30 'ERROR: |runtime error:|==ERROR|ALARM|deadly signal' "$TMP/fuzz.log" | head -60
	ls -l "$artifacts"
fi

# ---- objects: runtime/object_read.c over corrupted `--aot` objects ---------
# (tests/fuzz/fuzz_object.c).  Seeds: objects ebpfq writes for the cli and
# runtime cases' -e programs it can compile here; FUZZ_OBJECT_SECONDS (default
# a third of FUZZ_SECONDS) of mutating them.
objfuzzer=$TMP/fuzz_object
mkdir -p "$artifacts"
if ! $cc -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$srcdir/compiler" -I"$srcdir/runtime" -I"$srcdir/common" \
	-o "$objfuzzer" "$srcdir/tests/fuzz/fuzz_object.c" "$srcdir/runtime/object_read.c" \
	"$srcdir/compiler/arena.c" "$srcdir/compiler/image.c" -lbpf -lelf -lz >"$TMP/build-object.log" 2>&1; then
	fail "building fuzz_object with $cc"
	head -40 "$TMP/build-object.log"
	finish
fi
pass "building fuzz_object with $cc"
objects=$TMP/objects
mkdir -p "$objects"
n=0
for f in "$corpus"/seed*; do
	[ "$n" -ge 60 ] && break
	"$EBPFQ" --aot "$objects/o$n.o" - <"$f" >/dev/null 2>&1 && n=$((n + 1))
done
echo "object seeds: $n objects"
if [ "$n" = 0 ]; then
	fail "fuzz_object: ebpfq --aot wrote no seed object"
	finish
fi
oseconds=${FUZZ_OBJECT_SECONDS:-$(( seconds / 3 > 10 ? seconds / 3 : 10 ))}
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$objfuzzer" -max_len=65536 -timeout=5 -rss_limit_mb=2048 -max_total_time="$oseconds" \
	-artifact_prefix="$artifacts/object-" -print_final_stats=1 "$objects" >"$TMP/fuzz-object.log" 2>&1
status=$?
grep -E '^Done [0-9]+ runs' "$TMP/fuzz-object.log"
if [ "$status" = 0 ]; then
	pass "fuzz_object: ${oseconds}s without a crash, hang, leak or sanitizer report"
	rmdir "$artifacts" 2>/dev/null
else
	fail "fuzz_object (exit status $status): input kept in $artifacts"
	grep -E -A30 'ERROR: |runtime error:|==ERROR|ALARM|deadly signal' "$TMP/fuzz-object.log" | head -60
fi

# And the command itself, as built (the sanitizer build in CI): `ebpfq run`
# on objects with bytes overwritten at random must refuse them (status 1)
# or, where the change was harmless, load them (-n: into the verifier, and
# out again); never crash.  Without root the privilege check ends each run
# after the object is read.
bad=0 runs=0
for o in "$objects"/o0.o "$objects"/o1.o "$objects"/o2.o; do
	[ -f "$o" ] || continue
	size=$(wc -c <"$o")
	i=0
	while [ $i -lt 40 ]; do
		cp "$o" "$TMP/mutant.o"
		# 1 to 8 bytes of random values at random places
		awk -v seed="$i$size" -v size="$size" 'BEGIN { srand(seed); n = 1 + int(rand() * 8)
			for (k = 0; k < n; k++) printf "%d %d\n", int(rand() * size), int(rand() * 256) }' |
		while read -r at byte; do
			printf "$(printf '\\%03o' "$byte")" |
				dd of="$TMP/mutant.o" bs=1 seek="$at" conv=notrunc 2>/dev/null
		done
		timeout 5 "$EBPFQ" run -n -q "$TMP/mutant.o" >/dev/null 2>"$TMP/mutant.err" </dev/null
		status=$?
		runs=$((runs + 1))
		# 124, the timeout: a map's size made huge, which the kernel takes
		# its time to allocate (as it would from any loader)
		if { [ "$status" -gt 1 ] && [ "$status" != 124 ]; } || grep -qE 'runtime error:|ERROR: AddressSanitizer' "$TMP/mutant.err"; then
			bad=$((bad + 1))
			mkdir -p "$artifacts" && cp "$TMP/mutant.o" "$artifacts/mutant-$runs.o"
			echo "ebpfq run: status $status on a mutant of $(basename "$o"):"; head -5 "$TMP/mutant.err"
		fi
		i=$((i + 1))
	done
done
if [ "$bad" = 0 ]; then
	pass "ebpfq run on $runs mutated objects: each refused (status 1) or run, none crashed"
else
	fail "ebpfq run on mutated objects: $bad of $runs crashed or misbehaved (kept in $artifacts)"
fi
finish
