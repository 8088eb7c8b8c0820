# driver.sh - what the multi-command aggregation cases share (sourced from
# tests/runtime): ebpfq traced in the background until SIGINT, workloads
# pinned to CPUs, and waiting for a line of its output as the sign that it
# handled what came before (the ring buffer is read in order).  The cases
# then run in $WORK, where their scripts (beside them, in $here) name the
# workload ./aggwork.

CPUS=$(nproc)
here=$(pwd)
cd "$WORK" || exit 1

# trace OUT ARGS...: start ebpfq with ARGS, its stdout to OUT and stderr to
# OUT.err, its pid in $traced; return once every probe is attached (it
# says so: no -q).
trace() {
	_out=$1
	shift
	# a previous case's file would say "Attaching" before this ebpfq has
	# even started: the workload would run untraced, and SIGINT reach env
	# while it still ignores it
	rm -f "$_out" "$_out.err"
	# a non-interactive shell starts background jobs with SIGINT ignored:
	# give ebpfq the default action, as a terminal would (env execs it)
	env --default-signal=INT "$EBPFQ" "$@" >"$_out" 2>"$_out.err" &
	traced=$!
	wait_line '^(Attaching|\{"type": "attached_probes")' "$_out"
}

# wait_line REGEX FILE: until a line of FILE matches (10 s at most).
wait_line() {
	_n=0
	until grep -Eq "$1" "$2" 2>/dev/null || [ $_n -ge 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
}

# on_cpu N COMMAND...: run COMMAND on CPU N (modulo the CPUs there are).
on_cpu() {
	_cpu=$(($1 % CPUS))
	shift
	taskset -c "$_cpu" "$@"
}

# hammer: two processes named hammer, one on each CPU (of two, where there
# are several), each calling f(x, 1) 120,000 times at the same time, x
# going round -1000 -7 0 1 5 64 and -3 2 3 100 4096 1048576; $hammers
# holds their pids.
hammer() {
	on_cpu 0 ./aggwork -n hammer -k 1 120000 -1000 -7 0 1 5 64 &
	hammers=$!
	on_cpu 1 ./aggwork -n hammer -k 1 120000 -3 2 3 100 4096 1048576 &
	hammers="$hammers $!"
}

# ended PID: true once PID has exited (it is a zombie or gone), within 10 s.
ended() {
	_n=0
	while [ $_n -lt 100 ]; do
		_state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
		[ -z "$_state" ] || [ "$_state" = Z ] && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# untrace [FILTER...]: SIGINT to ebpfq; print its exit status, then its
# stdout (through FILTER if given) and its stderr.
untrace() {
	kill -INT "$traced"
	wait "$traced"
	echo "status $?"
	if [ $# -gt 0 ]; then
		"$@" <"$_out"
	else
		cat "$_out"
	fi
	cat "$_out.err"
}
