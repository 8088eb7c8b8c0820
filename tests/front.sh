#!/bin/sh
# tests/front.sh - the front end's golden tests: each tests/front/NAME.ebq is
# parsed by tests/front/parse_test; stdout must equal NAME.ast, or (for
# scripts that must fail) stderr must equal NAME.err and the status be 2.
# 10,000 nested parentheses are generated here rather than kept in the tree.
# EBPFQ_UPDATE_GOLDEN=1 rewrites the goldens: review the diff.
srcdir=${EBPFQ_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${EBPFQ_BUILDDIR:-$srcdir}
driver=$builddir/tests/front/parse_test
dir=$srcdir/tests/front
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # name file
	name=$1 file=$2
	(cd "$dir" && "$driver" "$file") >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ -f "$dir/$name.err" ] || [ "$status" -ne 0 ]; then
		golden=$dir/$name.err got=$tmp/err want_status=2
	else
		golden=$dir/$name.ast got=$tmp/out want_status=0
	fi
	if [ -n "$EBPFQ_UPDATE_GOLDEN" ]; then
		cp "$got" "$golden"
	fi
	if [ "$status" -eq "$want_status" ] && cmp -s "$got" "$golden"; then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name (status $status, want $want_status)"
		diff -u "$golden" "$got" | head -40
		failed=$((failed + 1))
	fi
}

for f in "$dir"/*.ebq; do
	name=$(basename "$f" .ebq)
	check "$name" "$name.ebq"
done

# 10,000 nested parentheses: one clear error, no crash.
awk 'BEGIN { printf "BEGIN { $x = "; for (i = 0; i < 10000; i++) printf "("; printf "1"; for (i = 0; i < 10000; i++) printf ")"; print " }" }' >"$tmp/deep.ebq"
"$driver" "$tmp/deep.ebq" >/dev/null 2>"$tmp/deep.err"
status=$?
if [ "$status" -eq 2 ] && grep -q "nesting too deep" "$tmp/deep.err"; then
	echo "PASS: deep_nesting"
	passed=$((passed + 1))
else
	echo "FAIL: deep_nesting (status $status)"
	head -5 "$tmp/deep.err"
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
