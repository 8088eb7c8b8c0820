#!/bin/sh
# tests/irpass.sh - the IR passes from text to text, QBE style, and the IR's
# text form itself, with the driver tests/irpass/irpass_test:
#  - NAME: each tests/irpass/NAME.ir names its passes in a `# pass:` line;
#    the driver's output must equal NAME.out (for an input that must not
#    parse, the error);
#  - one_function: ir_parse(), unlike ir_parse_all(), takes one function;
#  - roundtrip_NAME: what `ebpfq -d ir` prints for tests/ir/NAME.ebq, read
#    and printed again, is byte for byte what ebpfq printed;
#  - emit_NAME: that IR read back, allocated and emitted, gives the
#    instructions `ebpfq -d bpf` prints (map names aside): the text keeps all
#    the back end needs, not only all the printer shows.
# No kernel needed.  EBPFQ_UPDATE_GOLDEN=1 rewrites the .out files: review
# the diff.
. "$(dirname "$0")/lib.sh"
driver=$builddir/tests/irpass/irpass_test
dir=$srcdir/tests/irpass

if [ ! -x "$driver" ]; then
	fail "$driver is not built (make tests/irpass/irpass_test)"
	finish
fi

# same NAME GOLDEN GOT: one case
same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1"
		diff -u "$2" "$3" | head -40
	fi
}

for f in "$dir"/*.ir; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .ir)
	(cd "$dir" && "$driver" "$name.ir") >"$TMP/out" 2>&1
	[ -n "$EBPFQ_UPDATE_GOLDEN" ] && cp "$TMP/out" "$dir/$name.out"
	same "$name" "$dir/$name.out" "$TMP/out"
done

(cd "$dir" && "$driver" --one pipeline_two_funcs.ir) >"$TMP/out" 2>&1
echo 'pipeline_two_funcs.ir:23: error: a second function: ir_parse() reads one, ir_parse_all() several' \
	>"$TMP/want"
same one_function "$TMP/want" "$TMP/out"

# The instructions of a -d bpf listing: no source lines, the program header
# without its probe, every map[NAME] as map[].
listing() {
	sed -n -e 's/map\[[^]]*\]/map[]/g' \
		-e 's/^\([A-Za-z0-9_]*\): .*(\([0-9]*\) instructions)$/\1 (\2 instructions)/p' \
		-e '/^ *[0-9][0-9]*: /p'
}

for f in "$srcdir"/tests/ir/*.ebq; do
	name=$(basename "$f" .ebq)
	(cd "$srcdir/tests/ir" && "$EBPFQ" -d ir "$name.ebq") >"$TMP/ir" 2>"$TMP/err"
	"$driver" --roundtrip "$TMP/ir" >"$TMP/back" 2>&1
	same "roundtrip_$name" "$TMP/ir" "$TMP/back"
	(cd "$srcdir/tests/ir" && "$EBPFQ" -d bpf "$name.ebq") 2>&1 | listing >"$TMP/want"
	"$driver" --emit "$TMP/ir" 2>&1 | listing >"$TMP/got"
	same "emit_$name" "$TMP/want" "$TMP/got"
done
finish
