#!/bin/sh
# bench/codesize.sh - how big the BPF program is that each tool loads for the
# same one-probe script, ebpfq against bpftrace in the same run.  A benchmark
# to run by hand, as root, not a test:
#   sudo sh bench/codesize.sh            (EBPFQ=path/to/ebpfq to choose a build)
# What it measures: the instructions the kernel holds after verification
# (`bpftool prog show`: xlated bytes / 8, the count `bpftool prog dump xlated`
# numbers; a 64-bit immediate load is two), so helper calls the kernel inlines
# (map lookups) count as the kernel runs them.  Fewer is not always faster,
# but every instruction runs on each hit unless a branch skips it.  ratio is
# ebpfq / bpftrace: below 1, ebpfq's program is the smaller.  The sizes do
# not vary from run to run for one kernel and one build of each tool.
# Where ebpfq was built --with-llvm, a third column is the same ebpfq with
# --backend llvm (the same IR through LLVM's BPF target at -O2), run beside
# the other two.
# The program is found by the pid that attached it and the tracepoint it is
# attached to (`bpftool perf list`, bench/lib.sh), so other tracers running
# on the machine do not disturb it.  Instructions executed per hit are not measured: a
# tracepoint program cannot be run with BPF_PROG_TEST_RUN, and this bpftool
# has no `prog profile`.
here=$(cd "$(dirname "$0")/.." && pwd)
ebpfq=${EBPFQ:-$here/ebpfq}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$here/bench/lib.sh"

# The xlated instruction count of the program process $1 attached to
# tracepoint $2, once it has.
insns_of() { # pid tracepoint-name
	id=$(attached_prog "$1" "$2") || return
	bpftool prog show id "$id" 2>/dev/null |
		sed -n 's/.*xlated \([0-9]*\)B.*/\1/p' | awk '{ print $1 / 8 }'
}

# Start tool-command... in the background, SIGINT deliverable (a background
# job of a script ignores it otherwise), its output to output-file.
start() { # output-file tool-command...
	out=$1; shift
	env --default-signal=INT "$@" </dev/null >"$out" 2>&1 &
}

row() { # label ebpfq llvm bpftrace ratio-heading
	P=$1 E=$2 L=$3 B=$4 R=$5 awk 'BEGIN {
		p = ENVIRON["P"]; e = ENVIRON["E"]; l = ENVIRON["L"]; b = ENVIRON["B"]; r = ENVIRON["R"]
		if (r == "")
			r = (e != "" && b != "" && b > 0) ? sprintf("%.2f", e / b) : "-"
		printf "%-58s %6s %6s %8s %7s\n", p, e == "" ? "-" : e, l == "" ? "-" : l,
			b == "" ? "-" : b, r }'
}

have_bpftrace=$(command -v bpftrace)
have_llvm=
"$ebpfq" --backend llvm -d ir -e 'BEGIN { exit(); }' >/dev/null 2>&1 && have_llvm=yes

# A row: both tools run the script at once; their programs are found by
# the target they attach to (a tracepoint's name, a uprobe's file).
measure() { # label script target
	start "$tmp/e" "$ebpfq" -q -e "$2"; e_pid=$!
	if [ -n "$have_llvm" ]; then
		start "$tmp/l" "$ebpfq" --backend llvm -q -e "$2"; l_pid=$!
	fi
	if [ -n "$have_bpftrace" ]; then
		start "$tmp/b" bpftrace -e "$2"; b_pid=$!
	fi
	e=$(insns_of "$e_pid" "$3")
	l=${have_llvm:+$(insns_of "$l_pid" "$3")}
	b=${have_bpftrace:+$(insns_of "$b_pid" "$3")}
	stop_tool "$e_pid"
	[ -z "$have_llvm" ] || stop_tool "$l_pid"
	[ -z "$have_bpftrace" ] || stop_tool "$b_pid"
	[ -n "$e" ] || sed 's/^/ebpfq: /' "$tmp/e" >&2
	[ -z "$have_llvm" ] || [ -n "$l" ] || sed 's/^/ebpfq --backend llvm: /' "$tmp/l" >&2
	[ -z "$have_bpftrace" ] || [ -n "$b" ] || sed 's/^/bpftrace: /' "$tmp/b" >&2
	row "$1" "$e" "$l" "$b"
}

row "program (tracepoint:syscalls:...)" ebpfq llvm bpftrace ratio
while IFS='|' read -r tp body; do
	[ -n "$tp" ] || continue
	measure "$tp { $body }" "tracepoint:syscalls:$tp { $body }" "$tp"
done <<'EOF'
sys_enter_openat|@[comm] = count();
sys_enter_execve|printf("%d %s\n", pid, comm);
sys_enter_read|@ = hist(args->count);
sys_enter_read|@[comm] = avg(args->count);
sys_enter_read|@[comm] = stats(args->count);
sys_enter_read|@ = lhist(args->count, 0, 1000, 100);
sys_enter_read|@[comm] = hist(args->count);
sys_enter_read|@[pid] = min(args->count);
sys_enter_read|@ = sum(args->count);
sys_enter_read|printf("%d\n", curtask->real_parent->pid);
sys_enter_read|@[curtask->real_parent->comm] = count();
sys_enter_openat|printf("%s\n", str(args->filename));
sys_enter_read|if (strncmp(comm, "bash", 4) == 0) { @ = count(); }
EOF

# A struct's field read through a uprobe's argument (user memory): a tiny
# program whose function takes a pointer to a struct the script defines.
cat >"$tmp/work.c" <<'C'
struct req { int id; long len; char name[16]; };
__attribute__((noinline)) int handle(struct req *r) { return r->id; }
int main(void) { struct req r = {1, 2, "x"}; return handle(&r) == 7; }
C
cc -O1 -o "$tmp/work" "$tmp/work.c" || exit 1
row "program (uprobe on a function of a small program)" ebpfq llvm bpftrace ratio
while IFS='|' read -r body; do
	[ -n "$body" ] || continue
	measure "handle { $body }" \
		"struct req { int id; long len; char name[16]; } uprobe:$tmp/work:handle { $body }" "$tmp/work"
done <<'EOF'
printf("%d\n", ((struct req *)arg0)->len);
@[((struct req *)arg0)->name] = count();
EOF
