# bench/lib.sh - sourced by the benchmarks: time short runs; for a tool run in
# the background, find the program it attached, stop it as Ctrl-C does.  Not
# run by itself.

# The mean wall microseconds and the max RSS (KiB) of $runs runs of "$@":
# "US KIB".
measure() {
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$runs" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
	end=$(date +%s%N)
	rss=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)
	echo "$(( (end - start) / runs / 1000 )) $rss"
}

# Is process $1 alive (an exited, unreaped child is not)?
running() { # pid
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	'' | Z*) return 1 ;;
	esac
}

# The id of the program that process $1 attached to $2, a tracepoint name
# or a uprobe's file as `bpftool perf list` shows them (tracepoints, raw
# tracepoints, perf-event uprobes), or as the fdinfo of a uprobe_multi link
# names it (which Debian 12's bpftool does not list), polled until it is
# there.  Fails if the process ends first or after ATTACH_WAIT seconds
# (default 120: bpftrace starts slowly on a busy machine).  Matching the
# pid, not "a program that appeared", keeps other tracers out.
attached_prog() { # pid target
	polls=0
	while running "$1" && [ $polls -lt $((${ATTACH_WAIT:-120} * 10)) ]; do
		id=$(bpftool perf list 2>/dev/null | awk -v pid="$1" -v t="$2" '
			$2 == pid { for (i = 7; i <= NF; i++) if ($i == t) { print $6; exit } }')
		[ -n "$id" ] || id=$(for f in /proc/"$1"/fdinfo/*; do
			awk -v t="$2" '$1 == "link_type:" && $2 == "uprobe_multi" { u = 1 }
				$1 == "prog_id:" { id = $2 } u && $1 == "path:" && $2 == t { print id; exit }
				# "perf_event": a perf event program (profile), held by the tool
				t == "perf_event" && $1 == "prog_type:" && $2 == 7 { p = 1 }
				p && $1 == "prog_id:" { print $2; exit }' "$f" 2>/dev/null
		done | head -1)
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

# Start tool-command... in the background as Ctrl-C would find it (SIGINT
# with its default action), its stdout through the fifo $tmp/NAME.fifo into
# STAMP, a command that notes when the output came and writes what it found
# to $tmp/NAME.stamp; its stderr into $tmp/NAME.err.  The tool's pid is in
# $started, the stamp's in $stamper.
start_stamped() { # name stamp-command tool-command...
	_name=$1 _stamp=$2
	shift 2
	rm -f "$tmp/$_name.fifo" && mkfifo "$tmp/$_name.fifo"
	$_stamp <"$tmp/$_name.fifo" >"$tmp/$_name.stamp" &
	stamper=$!
	env --default-signal=INT "$@" </dev/null >"$tmp/$_name.fifo" 2>"$tmp/$_name.err" &
	started=$!
}

# ns per run of the programs process $1 holds (the prog_id of its file
# descriptors), from bpftool: kernel.bpf_stats_enabled must be 1 while they
# run for the kernel to count them.
bpf_ns() { # pid
	total=0 runs=0
	for id in $(awk '$1 == "prog_id:" { print $2 }' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u); do
		# shellcheck disable=SC2046
		set -- $(bpftool prog show id "$id" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) {
			if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
			END { printf "%d %d\n", t, c }')
		total=$((total + $1)) runs=$((runs + $2))
	done
	if [ "$runs" -gt 0 ]; then echo $((total / runs)); else echo -; fi
}

# The peak resident size (KiB, VmHWM) of process $1, polled every 20 ms
# while it lives, written to file $2: start it in the background beside the
# tool; it ends when the tool is reaped.
watch_rss() { # pid file
	while [ -r /proc/"$1"/status ]; do
		_v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/"$1"/status 2>/dev/null)
		[ -z "$_v" ] || echo "$_v" >"$2"
		sleep 0.02
	done
}
