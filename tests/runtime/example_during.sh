# example_during.sh EXAMPLE WORKLOAD - runs lang-examples/EXAMPLE.ebq on the
# whole machine while `example_work.sh WORKLOAD` runs, then ends it with
# SIGINT as Ctrl-C would, and prints what it printed.  For examples whose
# workload is not a `-c` command's own process (a uprobe with -c fires in
# that process only).  Run with `sh`, from tests/runtime; $EBPFQ and $WORK
# as tests/runtime.sh sets them.
out=$WORK/example_during.$$.out
# a non-interactive shell starts background jobs with SIGINT ignored
env --default-signal=INT "$EBPFQ" "../../lang-examples/$1.ebq" >"$out" &
pid=$!
n=0
until grep -q '^Attaching' "$out" || ! kill -0 $pid 2>/dev/null || [ $n -ge 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
sh ./example_work.sh "$2"
kill -INT $pid 2>/dev/null
wait $pid
status=$?
cat "$out"
rm -f "$out"
exit $status
