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

# The compiler library's sources; flex and bison's outputs are in the
# build directory (or in the source directory of a release tarball).
sources=""
for f in "$srcdir"/compiler/*.c "$srcdir"/compiler/builtins/*.c "$srcdir"/compiler/probes/*.c; do
	case $(basename "$f") in lex.c | parse.c) continue ;; esac
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
	-D_GNU_SOURCE -I"$srcdir/compiler" -I"$builddir/compiler" \
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
finish
