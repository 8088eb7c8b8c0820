#!/bin/sh
# tests/aot-wrap.sh - ebpfq's command line, run ahead of time: compile the
# program with `ebpfq --aot` into an object, then run the object with
# `ebpfq run` (or $EBPFQ_AOT_RUNNER, e.g. ebpfq-run).  tests/aot.sh points
# $EBPFQ here so that the runtime cases run through objects and must print
# what the direct runs print.
#   EBPFQ_AOT_REAL    the real ebpfq
#   EBPFQ_AOT_DIR     where the objects go (tests/aot.sh removes it)
# Options go where they act: -e, -k, --strlen, --backend to the compile;
# -f, -o, -q, -v, -n to the run; -c, -p, --unsafe to both (the compile
# resolves user probes in the process, and keeps system() behind --unsafe);
# the script's arguments to both (they are folded in when compiling).  -d,
# -l, --info, -h and -V only compile or inspect: they go to ebpfq as given.
real=${EBPFQ_AOT_REAL:?}
runner=${EBPFQ_AOT_RUNNER:-}
dir=${EBPFQ_AOT_DIR:-${TMPDIR:-/tmp}}
for a in "$@"; do
	case $a in
	-d* | -l* | --info | -h | --help | -V | --version) exec "$real" "$@" ;;
	-*) ;;
	*) break ;;
	esac
done

# collect the two command lines as quoted words
quote() { printf "'%s' " "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
compile="" runopts="" have_prog=""
while [ $# -gt 0 ]; do
	case $1 in
	-e) compile="$compile$(quote -e)$(quote "$2")"; have_prog=1; shift 2 ;;
	--strlen | --backend) compile="$compile$(quote "$1")$(quote "$2")"; shift 2 ;;
	--strlen=* | --backend=*) compile="$compile$(quote "$1")"; shift ;;
	-f | -o) runopts="$runopts$(quote "$1")$(quote "$2")"; shift 2 ;;
	-c | -p) compile="$compile$(quote "$1")$(quote "$2")"; runopts="$runopts$(quote "$1")$(quote "$2")"
		shift 2 ;;
	--unsafe) compile="$compile$(quote "$1")"; runopts="$runopts$(quote "$1")"; shift ;;
	--dry-run) runopts="$runopts$(quote "$1")"; shift ;;
	--) shift; break ;;
	-[knvq]*) # a bundle of flags: each where it acts
		flags=${1#-}
		while [ -n "$flags" ]; do
			f=${flags%"${flags#?}"}; flags=${flags#?}
			case $f in
			k) compile="$compile$(quote -k)" ;;
			*) runopts="$runopts$(quote "-$f")" ;;
			esac
		done
		shift ;;
	-*) exec "$real" "$@" ;; # anything else: as ebpfq says (a usage error)
	*) break ;;
	esac
done
if [ -z "$have_prog" ]; then
	[ $# -gt 0 ] || exec "$real" $compile
	compile="$compile$(quote "$1")"
	shift
fi
args=""
for a in "$@"; do args="$args$(quote "$a")"; done

obj=$(mktemp "$dir/aot.XXXXXX.o") || exit 1
eval "\"\$real\" --aot \"\$obj\" $compile $args" || { status=$?; rm -f "$obj"; exit $status; }
if [ -n "$runner" ]; then
	eval "exec \"\$runner\" $runopts \"\$obj\" $args"
fi
eval "exec \"\$real\" run $runopts \"\$obj\" $args"
