# tests/lib.sh - what the shell suites share: counting, reporting, and the
# rule that a test needing BPF is skipped on a laptop but fails in CI
# (EBPFQ_TEST_REQUIRE_BPF=1).  Sourced by tests/*.sh.
srcdir=${EBPFQ_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${EBPFQ_BUILDDIR:-$srcdir}
EBPFQ=${EBPFQ:-$builddir/ebpfq}
passed=0 failed=0 skipped=0
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

# Can this run load BPF programs?  Not root: no.
have_bpf() { [ "$(id -u)" = 0 ]; }

# A case that needs BPF where there is none: SKIP, or FAIL under CI.
# no_bpf NAME [WHAT IT NEEDS]
no_bpf() {
	if [ -n "$EBPFQ_TEST_REQUIRE_BPF" ]; then
		fail "$1 (${2:-needs root and BPF}, and EBPFQ_TEST_REQUIRE_BPF is set)"
	else
		echo "SKIP: $1 (${2:-needs root and BPF})"
		skipped=$((skipped + 1))
	fi
}

# orphans, settled: BPF programs of ours that nothing holds
. "$(dirname "$0")/orphans.sh"

finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -gt 0 ] && exit 1
	[ "$passed" -eq 0 ] && [ "$skipped" -gt 0 ] && exit 77
	exit 0
}
