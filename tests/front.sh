#!/bin/sh
# tests/front.sh - the front end's golden tests.  Each tests/front/NAME.ebq
# is parsed by tests/front/parse_test: a script that must parse has NAME.ast,
# the AST its stdout must equal (exit status 0); a script that must fail has
# NAME.err, the diagnostics its stderr must equal (exit status 2).
# A few inputs are too big to keep in the tree (10,000 nested parentheses):
# they are generated below into a scratch directory, their goldens kept here.
# EBPFQ_UPDATE_GOLDEN=1 rewrites the goldens instead: review the diff.
srcdir=${EBPFQ_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${EBPFQ_BUILDDIR:-$srcdir}
driver=$builddir/tests/front/parse_test
dir=$srcdir/tests/front
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

if [ ! -x "$driver" ]; then
	echo "FAIL: $driver is not built (make tests/front/parse_test)"
	echo "0 passed, 1 failed"
	exit 1
fi

# check NAME WHERE: parse WHERE/NAME.ebq (run in WHERE, so diagnostics say
# NAME.ebq) and compare with the golden in tests/front.
check() {
	name=$1 where=$2
	(cd "$where" && "$driver" "$name.ebq") >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ -n "$EBPFQ_UPDATE_GOLDEN" ]; then
		if [ "$status" -eq 0 ]; then
			cp "$tmp/out" "$dir/$name.ast" && rm -f "$dir/$name.err"
		else
			cp "$tmp/err" "$dir/$name.err" && rm -f "$dir/$name.ast"
		fi
	fi
	if [ -f "$dir/$name.ast" ]; then
		golden=$dir/$name.ast got=$tmp/out want=0
	elif [ -f "$dir/$name.err" ]; then
		golden=$dir/$name.err got=$tmp/err want=2
	else
		echo "FAIL: $name (no $name.ast or $name.err golden)"
		sed 's/^/    /' "$tmp/err" | head -20
		failed=$((failed + 1))
		return
	fi
	if [ "$status" -eq "$want" ] && cmp -s "$got" "$golden"; then
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name (exit status $status, want $want)"
		if [ "$want" -eq 0 ] && [ "$status" -ne 0 ]; then
			head -20 "$tmp/err"
		else
			diff -u "$golden" "$got" | head -40
		fi
		failed=$((failed + 1))
	fi
}

for f in "$dir"/*.ebq; do
	check "$(basename "$f" .ebq)" "$dir"
done

# gen NAME PREFIX PIECE COUNT SUFFIX: NAME.ebq is PREFIX, COUNT times PIECE,
# then SUFFIX, checked against tests/front/NAME.err.  A line break after
# every 50 pieces keeps the error's line short; each PIECE ends in a token
# after which a newline does not end a statement.
gen() {
	awk -v pre="$2" -v piece="$3" -v n="$4" -v post="$5" 'BEGIN { printf "%s", pre;
		for (i = 1; i <= n; i++) printf "%s%s", piece, i % 50 ? "" : "\n"; print post }' \
		>"$tmp/$1.ebq"
	check "$1" "$tmp"
}
# 10,000 nested parentheses, then 1,000 nested blocks: one error each, no crash
awk 'BEGIN { printf "BEGIN { $x = "; for (i = 0; i < 10000; i++) printf "(";
	printf "1"; for (i = 0; i < 10000; i++) printf ")"; print " }" }' >"$tmp/gen_deep_parens.ebq"
check gen_deep_parens "$tmp"
gen gen_deep_blocks 'BEGIN { ' 'if (1) { ' 1000 '}'
# no parentheses, yet a deep tree: 20,000 prefix operators, 100,000 additions
gen gen_deep_unary 'BEGIN { $x = ' '!' 20000 '1 }'
gen gen_long_chain 'BEGIN { $x = ' '1 + ' 100000 '1 }'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
