#!/bin/sh
# tests/export.sh - --export: the maps as Prometheus metrics, with the real
# engine.  A uprobe on aggwork's f (called a known number of times with
# known values, spread over the CPUs) fills a map of each kind; /metrics
# must then read exactly as expected, also for several scrapes at once;
# other paths are 404, other methods 405; a bad address is a usage error, a
# port in use a runtime error that leaves nothing attached; SIGINT still
# ends the run, which prints its maps as usual.  Then Debian's prometheus
# scrapes it, and its HTTP API must give the same counts and the
# histogram's median.  (doc/export.md)
. "$(dirname "$0")/lib.sh"
WORK=$TMP/work
mkdir -p "$WORK"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- without the kernel: the address --------------------------------------------
check_usage() { # NAME ADDRESS
	"$EBPFQ" --export "$2" -e 'BEGIN { exit() }' >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ $st = 2 ] && grep -q "^ebpfq: --export takes \[ADDR:\]PORT" "$TMP/err"; then
		pass "$1"
	elif grep -q "without libmicrohttpd" "$TMP/err"; then
		pass "$1 (a build without libmicrohttpd says so)"
	else
		fail "$1: exit $st, stderr: $(head -2 "$TMP/err")"
	fi
}
check_usage bad_address_words "local:host:9100"
check_usage bad_address_port "127.0.0.1:65536"
check_usage bad_address_empty ":"
check_usage bad_address_v6_unbracketed "::1:9100"
check_usage bad_address_name "example.com:9100"

if "$EBPFQ" --export 0 -d ast -e 'BEGIN {}' 2>&1 >/dev/null | grep -q "without libmicrohttpd"; then
	no_bpf export "a build with libmicrohttpd (libmicrohttpd-dev)"
	finish
fi
if ! have_bpf; then
	no_bpf export
	finish
fi
if ! command -v curl >/dev/null; then
	no_bpf export "curl"
	finish
fi

${CC:-cc} -O1 -o "$WORK/aggwork" "$srcdir/tests/runtime/aggwork.c" || { fail "building aggwork"; finish; }
cat >"$WORK/export.ebq" <<EOF
uprobe:$WORK/aggwork:f {
	\$x = (s64)arg0;
	@calls = count(); @bytes = sum(\$x); @last = \$x;
	@h = hist(\$x); @l = lhist(\$x, 0, 100, 10);
	@a = avg(\$x); @st = stats(\$x); @mi = min(\$x); @ma = max(\$x);
	@by_comm[comm] = count(); @pair[comm, arg1] = count(); @name[arg1] = comm;
}
uprobe:$WORK/aggwork:text { @txt[str(arg0)] = count(); @ = count(); }
EOF

# start_ebpfq ARGS...: ebpfq in the background, its stdout in $eout, its pid
# in $epid; waits for
# its "Attaching" line and its address (port in $port)
start_ebpfq() {
	"$EBPFQ" "$@" >"$eout" 2>"$TMP/eerr" </dev/null &
	epid=$!
	pids="$pids $epid"
	i=0
	while [ $i -lt 100 ] && ! grep -qs '^Attaching' "$eout" && kill -0 $epid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	port=$(sed -n 's|^ebpfq: metrics at http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$TMP/eerr")
	grep -q '^Attaching' "$eout" && [ -n "$port" ]
}

# stop_ebpfq: SIGINT, as Ctrl-C; true if it ended by itself within 5 s, exit 0
stop_ebpfq() {
	kill -INT $epid
	i=0
	while [ $i -lt 50 ] && kill -0 $epid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $epid 2>/dev/null; then
		kill -KILL $epid
		wait $epid
		return 1
	fi
	wait $epid
}

eout=$TMP/eout
if ! start_ebpfq --export 127.0.0.1:0 "$WORK/export.ebq"; then
	fail "ebpfq --export did not start: $(head -5 "$TMP/eerr")"
	finish
fi
pass "listens (port $port) and attaches"
"$WORK/aggwork" -n exwork -k 3 -s -t 10 1 5 20 50
url=http://127.0.0.1:$port/metrics

# --- the text ---------------------------------------------------------------
# x goes round 1, 5, 20, 50: 10 calls, total 158, least 1, most 50, the last 5
cat >"$TMP/want" <<'EOF'
# HELP ebpfq_map_total @: count()
# TYPE ebpfq_map_total counter
ebpfq_map_total 1
# HELP ebpfq_a @a: avg()
# TYPE ebpfq_a summary
ebpfq_a_sum 158
ebpfq_a_count 10
# HELP ebpfq_by_comm_total @by_comm: count()
# TYPE ebpfq_by_comm_total counter
ebpfq_by_comm_total{comm="exwork"} 10
# HELP ebpfq_bytes_total @bytes: sum()
# TYPE ebpfq_bytes_total counter
ebpfq_bytes_total 158
# HELP ebpfq_calls_total @calls: count()
# TYPE ebpfq_calls_total counter
ebpfq_calls_total 10
# HELP ebpfq_h @h: hist()
# TYPE ebpfq_h histogram
ebpfq_h_bucket{le="1"} 3
ebpfq_h_bucket{le="3"} 3
ebpfq_h_bucket{le="7"} 6
ebpfq_h_bucket{le="15"} 6
ebpfq_h_bucket{le="31"} 8
ebpfq_h_bucket{le="63"} 10
ebpfq_h_bucket{le="+Inf"} 10
ebpfq_h_count 10
# HELP ebpfq_l @l: lhist()
# TYPE ebpfq_l histogram
ebpfq_l_bucket{le="9"} 6
ebpfq_l_bucket{le="19"} 6
ebpfq_l_bucket{le="29"} 8
ebpfq_l_bucket{le="39"} 8
ebpfq_l_bucket{le="49"} 8
ebpfq_l_bucket{le="59"} 10
ebpfq_l_bucket{le="+Inf"} 10
ebpfq_l_count 10
# HELP ebpfq_last @last: value
# TYPE ebpfq_last gauge
ebpfq_last 5
# HELP ebpfq_ma @ma: max()
# TYPE ebpfq_ma gauge
ebpfq_ma 50
# HELP ebpfq_mi @mi: min()
# TYPE ebpfq_mi gauge
ebpfq_mi 1
# HELP ebpfq_name @name: string
# TYPE ebpfq_name gauge
ebpfq_name{arg1="3",value="exwork"} 1
# HELP ebpfq_pair_total @pair: count()
# TYPE ebpfq_pair_total counter
ebpfq_pair_total{comm="exwork",arg1="3"} 10
# HELP ebpfq_st @st: stats()
# TYPE ebpfq_st summary
ebpfq_st_sum 158
ebpfq_st_count 10
# HELP ebpfq_txt_total @txt: count()
# TYPE ebpfq_txt_total counter
EOF
# aggwork -t's string: a quote, a backslash, a newline, a tab, control bytes,
# é, and bytes that are not UTF-8 (each U+FFFD)
printf 'ebpfq_txt_total{key="q\\"b\\\\n\\nt\tc\001\037d\177e\303\251x\357\277\275y\357\277\275z"} 1\n' >>"$TMP/want"

code=$(curl -sS -o "$TMP/got" -D "$TMP/headers" -w '%{http_code}' "$url")
if [ "$code" = 200 ] && cmp -s "$TMP/want" "$TMP/got"; then
	pass "metrics: every kind of map, exactly"
else
	fail "metrics: HTTP $code, not the text expected:"
	diff "$TMP/want" "$TMP/got" | head -30
fi
if tr -d '\r' <"$TMP/headers" | grep -qx 'Content-Type: text/plain; version=0.0.4; charset=utf-8'; then
	pass "content type"
else
	fail "content type: $(grep -i content-type "$TMP/headers")"
fi

# --- several scrapes at once --------------------------------------------------
cpids=""
for n in 1 2 3 4 5 6 7 8; do
	curl -sS -o "$TMP/par$n" "$url" &
	cpids="$cpids $!"
done
for p in $cpids; do wait "$p"; done
same=0
for n in 1 2 3 4 5 6 7 8; do cmp -s "$TMP/want" "$TMP/par$n" && same=$((same + 1)); done
if [ $same = 8 ]; then pass "8 scrapes at once"; else fail "8 scrapes at once: $same of 8 as expected"; fi

# --- not /metrics, not GET ----------------------------------------------------
check_status() { # NAME WANT CURL-ARGS...
	name=$1 want=$2
	shift 2
	got=$(curl -sS -o /dev/null -w '%{http_code}' "$@")
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name: HTTP $got, want $want"; fi
}
check_status "404 elsewhere" 404 "http://127.0.0.1:$port/"
check_status "404 for /metrics/x" 404 "http://127.0.0.1:$port/metrics/x"
check_status "405 for POST" 405 -X POST -d x=1 "$url"
check_status "405 for DELETE" 405 -X DELETE "$url"
check_status "HEAD /metrics" 200 -I "$url"

# --- a port in use ------------------------------------------------------------
"$EBPFQ" --export "127.0.0.1:$port" -e 'BEGIN { exit() }' >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st = 1 ] && grep -q "^ebpfq: --export 127.0.0.1:$port: cannot listen there: Address already in use" "$TMP/err" &&
	! grep -q '^Attaching' "$TMP/out" && settled; then
	pass "a port in use: exit 1, nothing attached"
else
	fail "a port in use: exit $st, stderr: $(head -2 "$TMP/err")"
fi

# --- label names, values read at each scrape ----------------------------------------
# a second ebpfq, BEGIN and an interval: a builtin names its label unless
# another use of the map writes something else there (then `key`), or the
# key names it twice (the second is key1); a constant is positional
epid1=$epid port1=$port eout=$TMP/eout2
if start_ebpfq --export 0 -e 'BEGIN { @mix[comm, 1] = count(); @dup[cpu, cpu] = count();
		@conf[cpu] = count(); @conf[1000] = count(); @tup[(1, "x")] = 3; @neg = hist(-5); }
	interval:ms:20 { @ticks = count(); }'; then
	curl -sS -o "$TMP/labels" "http://127.0.0.1:$port/metrics"
	sleep 0.3
	curl -sS -o "$TMP/labels2" "http://127.0.0.1:$port/metrics"
	for want in 'ebpfq_mix_total{comm="ebpfq",key1="1"} 1' 'ebpfq_dup_total{cpu="[0-9]+",key1="[0-9]+"} 1' \
		'ebpfq_conf_total{key="1000"} 1' 'ebpfq_conf_total{key="[0-9]+"} 1' 'ebpfq_tup{key="\(1, x\)"} 3' \
		'ebpfq_neg_bucket{le="-1"} 1' 'ebpfq_neg_bucket{le="\+Inf"} 1' 'ebpfq_neg_count 1'; do
		if grep -Eqx "$want" "$TMP/labels"; then pass "labels: $want"; else
			fail "labels: no line $want"; grep -v '^#' "$TMP/labels" | head -20; fi
	done
	t1=$(sed -n 's/^ebpfq_ticks_total //p' "$TMP/labels")
	t2=$(sed -n 's/^ebpfq_ticks_total //p' "$TMP/labels2")
	if [ -n "$t1" ] && [ -n "$t2" ] && [ "$t2" -gt "$t1" ]; then
		pass "read at each scrape: ticks $t1, then $t2"
	else
		fail "read at each scrape: ticks '$t1', then '$t2'"
	fi
	stop_ebpfq || fail "SIGINT: the second ebpfq did not end by itself"
else
	fail "the second ebpfq did not start: $(head -5 "$TMP/eerr")"
fi
epid=$epid1 port=$port1 eout=$TMP/eout

# --- Prometheus -----------------------------------------------------------------
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# query EXPR: the value of its first result, or nothing
query() {
	curl -sS -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty'
}
if ! command -v prometheus >/dev/null || ! command -v jq >/dev/null || ! command -v python3 >/dev/null; then
	no_bpf prometheus "prometheus, jq and python3 (apt-get install prometheus jq)"
else
	pport=$(free_port)
	cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ebpfq
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$TMP/prom.log" 2>&1 &
	ppid_=$!
	pids="$pids $ppid_"
	i=0 calls=""
	while [ $i -lt 150 ] && [ -z "$calls" ]; do
		sleep 0.2
		calls=$(query ebpfq_calls_total 2>/dev/null)
		i=$((i + 1))
	done
	if [ "$calls" = 10 ]; then pass "prometheus scraped: ebpfq_calls_total 10"; else
		fail "prometheus: ebpfq_calls_total '$calls', want 10"; tail -5 "$TMP/prom.log"; fi
	check_query() { # EXPR WANT
		got=$(query "$1")
		if [ "$got" = "$2" ]; then pass "prometheus: $1 = $2"; else fail "prometheus: $1 = '$got', want $2"; fi
	}
	check_query 'ebpfq_bytes_total' 158
	check_query 'ebpfq_by_comm_total{comm="exwork"}' 10
	check_query 'ebpfq_pair_total{comm="exwork",arg1="3"}' 10
	check_query 'ebpfq_a_sum / ebpfq_a_count' 15.8
	check_query 'ebpfq_st_count' 10
	check_query 'ebpfq_mi' 1
	check_query 'ebpfq_ma' 50
	check_query 'ebpfq_last' 5
	check_query 'ebpfq_name{arg1="3",value="exwork"}' 1
	check_query 'ebpfq_h_count' 10
	check_query 'ebpfq_l_bucket{le="29"}' 8
	check_query 'count(ebpfq_txt_total)' 1
	check_query 'up{job="ebpfq"}' 1
	# the median: the 5th of 10 values is in [4, 8) (le 3: 3 values, le 7: 6),
	# which Prometheus interpolates as 3 + 4 * (5 - 3) / (6 - 3)
	got=$(query 'histogram_quantile(0.5, ebpfq_h_bucket)')
	if awk -v g="$got" 'BEGIN { d = g - 17 / 3; exit !(g != "" && d < 1e-9 && d > -1e-9) }'; then
		pass "prometheus: histogram_quantile(0.5, ebpfq_h_bucket) = $got"
	else
		fail "prometheus: histogram_quantile(0.5, ebpfq_h_bucket) = '$got', want 5.666..."
	fi
	kill $ppid_
	wait $ppid_ 2>/dev/null
fi

# --- the end: Ctrl-C ends it, the maps print as without --export ------------------
if stop_ebpfq; then pass "SIGINT ends the run (exit 0)"; else fail "SIGINT: ebpfq did not end by itself"; fi
if grep -qx '@calls: 10' "$eout" && grep -qx '@pair\[exwork, 3\]: 10' "$eout"; then
	pass "the maps are printed at exit"
else
	fail "the maps at exit:"; tail -10 "$eout"
fi
if settled; then pass "nothing left attached"; else fail "$left_count BPF program(s) left loaded"; fi
finish
