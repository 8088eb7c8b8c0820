# tests/orphans.sh - finding BPF programs an ebpfq left behind.  Sourced by
# tests/lib.sh and by runtime cases that run as their own scripts.

# Programs of ours (probe0, probe1..., the syscall dispatchers) that no
# process holds an fd of (a program fd, or a link's) and no file in bpffs
# pins: what an ebpfq left behind, by id.  Counting all of them would also
# count those of another ebpfq running on the machine meanwhile, or those
# tests/aot.sh has bpftool load from an object and pin for a moment.
orphan_ids() {
	held=$( (cat /proc/[0-9]*/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p'
		 bpftool -f prog list 2>/dev/null |
			 awk '/^[0-9]+:/ { id = $1; sub(":", "", id) } /^[ \t]+pinned / { print id }') | sort -u)
	bpftool prog list 2>/dev/null | sed -n 's/^\([0-9]*\): .* name \(probe[0-9]\|dispatch_\).*/\1/p' |
		while read -r id; do echo "$held" | grep -qx "$id" || echo "$id"; done
}

# How many there are now.
orphans() {
	orphan_ids | wc -l
}

# The kernel frees a closed program after an RCU grace period: wait up to
# two seconds for the orphans there are now to go; true if they did, and
# $left_count says how many stayed.  Only those seen at the start count:
# while other test runs on the machine start and end ebpfq, there may
# always be some program being freed, but never the same one for long.
settled() {
	_s_ids=$(orphan_ids)
	_s_i=0
	while [ -n "$_s_ids" ] && [ $_s_i -lt 20 ]; do
		sleep 0.1
		_s_now=$(orphan_ids)
		_s_ids=$(for _s_id in $_s_ids; do echo "$_s_now" | grep -qx "$_s_id" && echo "$_s_id"; done)
		_s_i=$((_s_i + 1))
	done
	left_count=$(echo $_s_ids | wc -w)
	[ -z "$_s_ids" ]
}
