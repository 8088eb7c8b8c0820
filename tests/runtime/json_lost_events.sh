#!/bin/sh
# json_lost_events.sh - with -f json, events a full ring buffer drops are
# reported as {"type": "lost_events", ...} after the maps, and none is lost
# silently: ebpfq is stopped (SIGSTOP) while the workload makes 20,000
# printf events, more than the ring buffer holds; continued, it must print
# the first ones in order and report the others as lost, received + lost
# being exactly the calls counted in the same probe.
. ./driver.sh
trace lost.out -f json -e 'uprobe:./aggwork:f { printf("%d\n", arg0); @n = count(); }'
kill -STOP "$traced"
./aggwork 20000
kill -CONT "$traced"
untrace sh -c "grep -v '\"type\": \"printf\"' | jq -r -f '$here/json_lines.jq'"
received=$(jq -j 'select(.type == "printf") | .data' lost.out |
	awk '$0 != NR - 1 "" { bad = 1 } END { print NR (bad ? " out of order" : " in order") }')
lost=$(jq -r 'select(.type == "lost_events") | .data.events' lost.out)
counted=$(jq -r 'select(.type == "map") | .data."@n"' lost.out)
echo "received $received, lost ${lost:-none}, counted $counted"
if [ -n "$lost" ] && [ $((${received%% *} + lost)) = "$counted" ]; then
	echo balanced
fi
