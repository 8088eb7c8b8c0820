# ksym, usym, kaddr and uaddr against nm of the workload and /proc/kallsyms:
# in a position-dependent build uaddr() is nm's address; in a PIE one it is
# where the process has the symbol (the first frame of a uprobe's stack is
# c itself), and differences between symbols are nm's.
cd "$WORK" || exit 1
nm_addr() { nm "$1" | awk -v s="$2" '$3 == s { print $1 }'; }
kallsyms_addr() { awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms; }
check() { # what got want
	if [ "$2" = "$3" ]; then echo "ok $1"; else echo "bad $1: got '$2', want '$3'"; fi
}

prog='uprobe:./stackwork-nopie:c {
	printf("%x %x %x %x\n", uaddr("c"), uaddr("counter"), kaddr("do_syscall_64"), kaddr("vfs_read"));
	printf("%s %s %s %s %s\n", usym(uaddr("b")), usym(uaddr("b") + 3), usym(uaddr("counter")),
	       ksym(kaddr("do_syscall_64") + 5), func);
	printf("%s|%s|%s\n", usym(1), ksym(0), ksym(1));
}'
"$EBPFQ" -q -c "./stackwork-nopie 1 0 300" -e "$prog" >"$WORK/symbols.out" 2>&1
read -r c counter sys vfs <"$WORK/symbols.out"
check "uaddr(c), position-dependent" "$c" "$(nm_addr stackwork-nopie c | sed 's/^0*//')"
check "uaddr(counter), position-dependent" "$counter" "$(nm_addr stackwork-nopie counter | sed 's/^0*//')"
check "kaddr(do_syscall_64)" "$sys" "$(kallsyms_addr do_syscall_64)"
check "kaddr(vfs_read)" "$vfs" "$(kallsyms_addr vfs_read)"
check "usym ksym func" "$(sed -n 2p "$WORK/symbols.out")" "b b counter do_syscall_64 c"
check "no symbol" "$(sed -n 3p "$WORK/symbols.out")" "0x1|0|0x1"

prog='uprobe:./stackwork:c {
	printf("%d %d %s\n", uaddr("b") - uaddr("c"), uaddr("counter") - uaddr("c"), usym(uaddr("a")));
	printf("%x", uaddr("c"));
	print(ustack(perf, 1));
}'
"$EBPFQ" -q -c "./stackwork 1 0 300" -e "$prog" >"$WORK/symbols.out" 2>&1
c=$(nm_addr stackwork c)
check "uaddr differences, PIE" "$(head -1 "$WORK/symbols.out")" \
	"$((0x$(nm_addr stackwork b) - 0x$c)) $((0x$(nm_addr stackwork counter) - 0x$c)) a"
# the stack's first frame, the probe's address, is c in the process: uaddr("c")
check "uaddr(c) is where c runs, PIE" "$(sed -n 3p "$WORK/symbols.out")" \
	"$(printf '\t%s c+0 (%s/stackwork)' "$(sed -n 2p "$WORK/symbols.out")" "$(pwd -P)")"
