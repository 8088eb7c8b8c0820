#!/bin/sh
# tests/runtime.sh - real probes on real workloads, as root.  Each
# tests/runtime/NAME.t says
#   args: ARGUMENTS        (shell words for ebpfq; $WORK holds the workloads)
#   status: N              (default 0)
#   run: COMMAND           (optional, instead of args: a shell command, for
#                           cases that signal ebpfq; $EBPFQ is the binary)
#   exact: yes             (optional: every line of stdout must match the
#                           next regex, none left over, none unmatched)
# and NAME.expect holds one extended regex per line that stdout lines must
# match in order; a line `!REGEX` must match no line of stdout.  After each
# case no BPF program of ebpfq's may be left loaded that no process holds
# (see orphans in lib.sh: another ebpfq may be running meanwhile).
# ONLY=GLOB runs the cases whose names match (ONLY='render_*'); several
# globs, separated by spaces, run the cases any of them matches.
. "$(dirname "$0")/lib.sh"
SRC=$srcdir/tests/runtime
WORK=$TMP/work
mkdir -p "$WORK"
export EBPFQ WORK

field() { sed -n "s/^$1: //p" "$2" | head -1; }

# Does stdout match the expectations, in order (and nothing else, if exact)?
matches() { # expect-file output-file [exact]
	awk -v expect="$1" -v exact="$3" '
		BEGIN { next_w = 1; while ((getline line < expect) > 0) {
				if (line ~ /^!/) forbid[++nf] = substr(line, 2); else want[++nw] = line } }
		{ for (i = 1; i <= nf; i++) if ($0 ~ forbid[i]) { print "unwanted line: " $0; bad = 1 }
		  if (next_w <= nw && $0 ~ want[next_w]) next_w++
		  else if (exact == "yes" && !stray) { stray = 1; bad = 1
			print "line " NR " is not the one expected (" (next_w <= nw ? want[next_w] : "no more lines") "): " $0 } }
		END { if (next_w <= nw && !stray) { print "no line matched: " want[next_w]; bad = 1 }; exit bad }
	' "$2"
}


if ! have_bpf; then
	for t in "$SRC"/*.t; do no_bpf "$(basename "$t" .t)"; done
	finish
fi
for w in forker openers getppid_loop usertarget syscall_numbers aggwork structwork funcwork; do
	${CC:-cc} -O1 -o "$WORK/$w" "$SRC/$w.c" || fail "building workload $w"
done
# user probes on a position-dependent executable too
${CC:-cc} -O1 -no-pie -fno-pie -o "$WORK/usertarget-nopie" "$SRC/usertarget.c" ||
	fail "building workload usertarget-nopie"
# stacks: frame pointers, which the kernel walks for user stacks; PIE and not
for pie in "" -nopie; do
	${CC:-cc} -O1 -fno-omit-frame-pointer ${pie:+-no-pie -fno-pie} -o "$WORK/stackwork$pie" \
		"$SRC/stackwork.c" || fail "building workload stackwork$pie"
done
# watchpoints: a threaded workload, and one whose variable's address is
# known before it runs
${CC:-cc} -O1 -pthread -o "$WORK/watchwork" "$SRC/watchwork.c" || fail "building workload watchwork"
${CC:-cc} -O1 -pthread -no-pie -fno-pie -o "$WORK/watchwork-nopie" "$SRC/watchwork.c" ||
	fail "building workload watchwork-nopie"
# threads in a known start function (lang-examples/threadsnoop.ebq)
${CC:-cc} -O1 -pthread -o "$WORK/threadwork" "$SRC/threadwork.c" || fail "building workload threadwork"
# the seed's Go program (golang-go); the cases using it fail if it is missing
if command -v go >/dev/null; then
	(cd "$TMP" && HOME=$TMP GOCACHE=$TMP/gocache GO111MODULE=off \
		go build -o "$WORK/hello-bpf" "$SRC/hello-bpf.go") || fail "building workload hello-bpf"
fi

# the globs match case names here, not file names where the suite runs
cases=
set -f
for glob in ${ONLY:-*}; do
	set +f
	cases="$cases $(printf '%s\n' "$SRC"/$glob.t)"
	set -f
done
set +f
for t in $cases; do
	name=$(basename "$t" .t)
	want=$(field status "$t")
	run=$(field run "$t")
	exact=$(field exact "$t")
	if [ -n "$run" ]; then
		(cd "$SRC" && exec timeout -s KILL 120 sh -c ". '$srcdir/tests/orphans.sh'; $run") >"$TMP/out" 2>"$TMP/err" </dev/null
	else
		args=$(field args "$t")
		(cd "$SRC" && eval "set -- $args" && exec timeout -s KILL 30 "$EBPFQ" "$@") \
			>"$TMP/out" 2>"$TMP/err" </dev/null
	fi
	status=$?
	problem=""
	[ "$status" = "${want:-0}" ] || problem="exit status $status, want ${want:-0}"
	[ -z "$problem" ] && ! matches "$SRC/$name.expect" "$TMP/out" "$exact" >"$TMP/why" && problem=$(cat "$TMP/why")
	[ -z "$problem" ] && ! settled && problem="$left_count BPF program(s) left loaded, held by no process"
	if [ -z "$problem" ]; then
		pass "$name"
	else
		fail "$name: $problem"
		echo "--- stdout:"; head -20 "$TMP/out"; echo "--- stderr:"; head -20 "$TMP/err"
	fi
done
finish
