#!/bin/sh
# bench/codesize.sh - instructions per program as the kernel holds them
# (`bpftool prog dump xlated`), ebpfq against bpftrace, for the two
# programs the project is measured on.  Run by hand, as root.
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
prog1='tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
prog2='tracepoint:syscalls:sys_enter_execve { printf("%d %s\n", pid, comm); }'

ids() { bpftool prog list 2>/dev/null | sed -n 's/^\([0-9]*\): tracepoint.*/\1/p' | sort; }

# instructions of the tracepoint program a tool loads for a script
count() { # tool-command...
	before=$(ids)
	"$@" >/dev/null 2>&1 &
	pid=$!
	sleep "${WAIT:-3}"
	for id in $(ids); do
		echo "$before" | grep -qx "$id" && continue
		bpftool prog dump xlated id "$id" | grep -c '^ *[0-9]*:'
	done | head -1
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
}

printf '%-60s %8s %8s\n' program ebpfq bpftrace
for p in "$prog1" "$prog2"; do
	e=$(WAIT=1 count "$ebpfq" -q -e "$p")
	b=$(command -v bpftrace >/dev/null && count bpftrace -e "$p")
	printf '%-60s %8s %8s\n' "$p" "$e" "${b:--}"
done
