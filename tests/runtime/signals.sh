#!/bin/sh
# signals.sh - SIGINT, SIGTERM and SIGHUP at every stage of a run: while
# compiling, loading into the verifier, attaching, and running.  A signal
# can come before ebpfq installs its handlers (it then dies of it, having
# loaded nothing) or after (it detaches, prints its maps and exits 0).
# Either way no program of ours may stay loaded.  The delays sweep the
# stages of a start that takes a few milliseconds.
. ../orphans.sh
binary=$(readlink -f "$EBPFQ")
bad=0 runs=0 died=0 finished=0
for sig in INT TERM HUP; do
	case $sig in INT) num=2 ;; TERM) num=15 ;; HUP) num=1 ;; esac
	for delay in 0 0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.3 1; do
		# a non-interactive shell starts background jobs with SIGINT ignored:
		# give ebpfq the default action, as a terminal would
		env --default-signal=INT "$EBPFQ" -e 'BEGIN { @b = 1 } tracepoint:syscalls:sys_enter_getp* { @[probe] = count(); } END { @e = 2 }' \
			>"$WORK/sig.out" 2>"$WORK/sig.err" &
		pid=$!
		# until the exec, the signal would hit the shell's child instead
		n=0
		while [ "$(readlink "/proc/$pid/exe")" != "$binary" ] && [ $n -lt 10000 ]; do
			n=$((n + 1))
		done
		sleep "$delay"
		kill -"$sig" "$pid"
		wait "$pid"
		status=$?
		runs=$((runs + 1))
		case $status in
		0) finished=$((finished + 1)) ;; # handled: a clean finish
		$((128 + num)) ) # died of it: only before the handler, so before loading
			died=$((died + 1))
			if grep -q '^Attaching' "$WORK/sig.out"; then
				echo "SIG$sig after ${delay}s: killed after attaching"; bad=$((bad + 1))
			fi ;;
		*) echo "SIG$sig after ${delay}s: exit status $status"; cat "$WORK/sig.err"
		   bad=$((bad + 1)) ;;
		esac
		if ! settled; then
			echo "SIG$sig after ${delay}s: $left_count program(s) left loaded"
			bad=$((bad + 1))
		fi
	done
done
# a running session ends with its maps printed (END ran)
"$EBPFQ" -e 'BEGIN { @b = 1 } tracepoint:syscalls:sys_enter_getppid { @[probe] = count(); } END { @e = 2 }' \
	>"$WORK/sig.out" 2>"$WORK/sig.err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
echo "running: status $?"
cat "$WORK/sig.out"
echo "$runs signalled runs, $bad bad ($died died before loading, $finished finished cleanly)"
