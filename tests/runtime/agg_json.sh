#!/bin/sh
# agg_json.sh - -f json for every aggregation under concurrency (the
# workloads of agg_exact_keyed.sh) and for printf of a string the workload
# passes with a quote, a backslash, a newline, a tab, control bytes, DEL, a
# two-byte UTF-8 character and bytes that are not UTF-8 (agg_json.ebq).
# Every line must be JSON; json_lines.jq says what each holds, one fact a
# line (hist rows' min, max and count, stats' fields, tuples as arrays),
# and the printf line is shown as written, through cat -v.
. ./driver.sh
trace agg_json.out -f json "$here/agg_json.ebq"
hammer
./aggwork -n spreader -k 2 -s 2000 -5 -2 & c=$!
./aggwork -t
wait $hammers $c
facts() {
	tee agg_json.raw | jq -r -f "$here/json_lines.jq" | cat -v
	grep -a '"type": "printf", "data": "q' agg_json.raw | cat -v
}
untrace facts
