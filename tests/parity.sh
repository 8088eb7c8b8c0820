#!/bin/sh
# tests/parity.sh - ebpfq prints what bpftrace 0.17 prints, byte for byte.
# Each tests/parity/NAME.bt runs under the real bpftrace of this machine and
# under ebpfq, the same way (a file, or -e TEXT), with the same options and
# arguments, from $WORK where the workload parity_work is built; the two
# standard outputs must be identical and the exit statuses equal.  Nothing
# expected is stored: bpftrace runs live every time.  A case's first lines
# are comments, its header:
#   // one line saying what it covers
#   // json: yes            compare under -f json as well
#   // options: WORDS       shell words before the script (-c ./parity_work)
#   // args: WORDS          the script's positional arguments, after it
#   // via: -e              give the program as -e TEXT instead of a file
#   // status: N            the exit status both end with (default 0)
# Cases must be deterministic in bpftrace too: BEGIN-only scripts ending in
# exit(), or user probes on parity_work; no two entries of a map with equal
# values (bpftrace sorts those in any order).  Where bpftrace 0.17 is wrong,
# there is no case: doc/language.md lists where and why.  tests/parity/disabled/
# holds cases ebpfq does not pass yet; they are listed, not run (but with
# EBPFQ_PARITY_DISABLED=1).
. "$(dirname "$0")/lib.sh"
SRC=$srcdir/tests/parity
WORK=$TMP/work
BPFTRACE=${BPFTRACE:-bpftrace}
mkdir -p "$WORK"

field() { sed -n "s|^// $1: ||p" "$2" | head -1; }

# No bpftrace, or not 0.17, or no BPF: every case is skipped, or fails in CI.
why=""
if ! have_bpf; then
	why="needs root and BPF"
elif ! command -v "$BPFTRACE" >/dev/null 2>&1; then
	why="needs bpftrace 0.17 (Debian 12: apt-get install bpftrace)"
else
	version=$("$BPFTRACE" --version 2>/dev/null)
	case $version in
	"bpftrace v0.17."*) ;;
	*) why="needs bpftrace 0.17, not '$version'" ;;
	esac
fi
if [ -n "$why" ]; then
	for t in "$SRC"/*.bt; do no_bpf "$(basename "$t" .bt)" "$why"; done
	finish
fi
${CC:-cc} -O0 -o "$WORK/parity_work" "$SRC/parity_work.c" || fail "building workload parity_work"

# run TOOL FORMAT CASE: the case under TOOL (text or json), stdout only.
run() {
	_tool=$1 _case=$3
	_opts=$(field options "$_case") _args=$(field args "$_case")
	[ "$2" = json ] && _opts="-f json $_opts"
	if [ "$(field via "$_case")" = "-e" ]; then
		_prog=$(cat "$_case")
		_script='-e "$_prog"' # expanded by the eval below
	else
		_script='"$_case"'
	fi
	(cd "$WORK" && eval "set -- $_opts $_script $_args" && exec timeout -s KILL 30 "$_tool" "$@") \
		</dev/null 2>/dev/null
}

# compare NAME FORMAT CASE
compare() {
	want=$(field status "$3")
	run "$BPFTRACE" "$2" "$3" >"$TMP/bpftrace.out"
	bstatus=$?
	run "$EBPFQ" "$2" "$3" >"$TMP/ebpfq.out"
	estatus=$?
	# bpftrace's JSON mode writes two bare empty lines before the maps at
	# exit; ebpfq leaves them out on purpose, so that every line of its
	# output is valid JSON.  They are the only empty lines JSON mode can
	# have (a printf's newlines are escaped): drop them from bpftrace's.
	if [ "$2" = json ]; then
		grep -v '^$' "$TMP/bpftrace.out" >"$TMP/bpftrace.json"
		mv "$TMP/bpftrace.json" "$TMP/bpftrace.out"
	fi
	problem=""
	if [ "$bstatus" != "${want:-0}" ]; then
		problem="bpftrace itself exits $bstatus, not ${want:-0}: the case is wrong"
	elif [ "$estatus" != "$bstatus" ]; then
		problem="ebpfq exits $estatus, bpftrace $bstatus"
	elif ! cmp -s "$TMP/bpftrace.out" "$TMP/ebpfq.out"; then
		problem="stdout differs from bpftrace's"
	fi
	if [ -z "$problem" ]; then
		pass "$1"
	else
		fail "$1: $problem"
		echo "--- diff bpftrace ebpfq:"
		diff "$TMP/bpftrace.out" "$TMP/ebpfq.out" | head -30
	fi
}

run_cases() {
	for t in "$@"; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .bt)
		compare "$name" text "$t"
		[ "$(field json "$t")" = yes ] && compare "$name (json)" json "$t"
	done
}

run_cases "$SRC"/*.bt
# EBPFQ_PARITY_DISABLED=1 runs the disabled cases too: to see them fail, or
# to check that one passes before moving it up
if [ -n "$EBPFQ_PARITY_DISABLED" ]; then
	run_cases "$SRC"/disabled/*.bt
else
	for t in "$SRC"/disabled/*.bt; do
		[ -f "$t" ] && echo "# disabled: $(basename "$t" .bt): $(field disabled "$t")"
	done
fi
finish
