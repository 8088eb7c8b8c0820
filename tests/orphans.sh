# tests/orphans.sh - finding BPF programs an ebpfq left behind.  Sourced by
# tests/lib.sh and by runtime cases that run as their own scripts.

# Programs of ours (probe0, probe1..., the syscall dispatchers) that no
# process holds an fd of (a program fd, or a link's): what an ebpfq left
# behind.  Counting all of them would also count those of another ebpfq
# running on the machine meanwhile.
orphans() {
	held=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u)
	bpftool prog list 2>/dev/null | sed -n 's/^\([0-9]*\): .* name \(probe[0-9]\|dispatch_\).*/\1/p' |
		while read -r id; do echo "$held" | grep -qx "$id" || echo "$id"; done | wc -l
}

# The kernel frees a closed program after an RCU grace period: wait up to
# two seconds for the orphans to go; true if they did.
settled() {
	_s_i=0
	while [ "$(orphans)" -gt 0 ] && [ $_s_i -lt 20 ]; do sleep 0.1; _s_i=$((_s_i + 1)); done
	[ "$(orphans)" -eq 0 ]
}

