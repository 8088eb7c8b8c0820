# bench/lib.sh - sourced by the benchmarks that run a tool in the background:
# find the program it attached, stop it as Ctrl-C does.  Not run by itself.

# Is process $1 alive (an exited, unreaped child is not)?
running() { # pid
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	'' | Z*) return 1 ;;
	esac
}

# The id of the program that process $1 attached to $2, a tracepoint name
# or a uprobe's file as `bpftool perf list` shows them, polled until it is
# there.  Fails if the process ends first or after ATTACH_WAIT seconds
# (default 120: bpftrace starts slowly on a busy machine).  Matching the
# pid, not "a program that appeared", keeps other tracers out.
attached_prog() { # pid target
	polls=0
	while running "$1" && [ $polls -lt $((${ATTACH_WAIT:-120} * 10)) ]; do
		id=$(bpftool perf list 2>/dev/null | awk -v pid="$1" -v t="$2" '
			$2 == pid { for (i = 7; i <= NF; i++) if ($i == t) { print $6; exit } }')
		if [ -n "$id" ]; then
			echo "$id"
			return 0
		fi
		sleep 0.1
		polls=$((polls + 1))
	done
	return 1
}

# Stop process $1 with SIGINT, as Ctrl-C does, and reap it.  The signal is
# sent again each second while the process runs (once, on a loaded machine,
# a bpftrace 0.17 that was still starting outlived its SIGINT by minutes and
# hung the benchmark); SIGKILL after 30 s.
stop_tool() { # pid
	polls=0
	while running "$1"; do
		[ $((polls % 10)) -eq 0 ] && kill -INT "$1" 2>/dev/null
		[ $polls -eq 300 ] && kill -KILL "$1" 2>/dev/null
		sleep 0.1
		polls=$((polls + 1))
	done
	wait "$1" 2>/dev/null
}
