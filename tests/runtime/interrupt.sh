# interrupt.sh - sourced by runtime cases that Ctrl-C an ebpfq and time it.

# Until the output file says "Attaching" (30 s at most).
wait_attached() { # output-file
	_n=0
	until grep -q '^Attaching' "$1" || [ $_n -ge 300 ]; do sleep 0.1; _n=$((_n + 1)); done
}

# How many perf events process $1 holds.
perf_events() { # pid
	ls -l /proc/"$1"/fd 2>/dev/null | grep -c 'perf_event'
}

# SIGINT process $1, a child of this shell, and wait for it; prints its
# status, and "detached within LABEL" if that took under LIMIT ms (else how
# long it took).
interrupt_within() { # pid limit-ms label
	_t0=$(date +%s%N)
	kill -INT "$1"
	wait "$1"
	_status=$?
	_t1=$(date +%s%N)
	echo "status $_status"
	_ms=$(((_t1 - _t0) / 1000000))
	if [ "$_ms" -lt "$2" ]; then echo "detached within $3"; else echo "detached in $_ms ms"; fi
}
