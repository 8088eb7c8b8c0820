#!/bin/sh
# tests/cli.sh - the command line and bad input.  Each tests/cli/NAME.t says
#   args: ARGUMENTS          (shell words; $SRC is tests/cli, $TMP a scratch dir)
#   status: N                (the exit status wanted)
#   setup: COMMAND           (optional: makes files in $TMP first)
#   root: yes                (optional: needs root and BPF)
#   stdout: TEXT             (optional: a line stdout must contain)
#   prefix: COMMAND          (optional: run ebpfq under it, e.g. setpriv)
# and NAME.stderr holds the exact stderr wanted ($TMP shown as TMP).
# EBPFQ_UPDATE_GOLDEN=1 rewrites the .stderr goldens: review the diff.
. "$(dirname "$0")/lib.sh"
SRC=$srcdir/tests/cli

field() { sed -n "s/^$1: //p" "$2" | head -1; }

for t in "$SRC"/*.t; do
	name=$(basename "$t" .t)
	if [ "$(field root "$t")" = yes ] && ! have_bpf; then
		no_bpf "$name"
		continue
	fi
	setup=$(field setup "$t")
	[ -n "$setup" ] && (cd "$TMP" && eval "$setup")
	args=$(field args "$t")
	want=$(field status "$t")
	prefix=$(field prefix "$t") bin=$EBPFQ
	if [ -n "$prefix" ]; then # another user must be able to reach the binary
		chmod 755 "$TMP" && cp "$EBPFQ" "$TMP/ebpfq" && bin=$TMP/ebpfq
	fi
	(cd "$SRC" && eval "set -- $args" && exec timeout 20 $prefix "$bin" "$@") \
		>"$TMP/out" 2>"$TMP/err" </dev/null
	status=$?
	sed "s#$TMP#TMP#g" "$TMP/err" >"$TMP/err.norm"
	golden=$SRC/$name.stderr
	[ -n "$EBPFQ_UPDATE_GOLDEN" ] && cp "$TMP/err.norm" "$golden"
	problem=""
	[ "$status" = "$want" ] || problem="exit status $status, want $want"
	[ -z "$problem" ] && ! cmp -s "$TMP/err.norm" "$golden" && problem="stderr differs"
	out=$(field stdout "$t")
	[ -z "$problem" ] && [ -n "$out" ] && ! grep -qF -- "$out" "$TMP/out" && problem="stdout lacks '$out'"
	if [ -z "$problem" ]; then
		pass "$name"
	else
		fail "$name: $problem"
		diff -u "$golden" "$TMP/err.norm" | head -30
	fi
done
finish
