#!/bin/sh
# valgrind.sh - a whole traced run under valgrind memcheck: no leak, no
# invalid access, no uninitialised read.  An AddressSanitizer build cannot
# run under valgrind; there ASan, which checks the same, runs it instead.
# Then stacks and symbols: the kernel's symbols read by a thread, a
# process's memory map and its files' symbol tables.  (memcheck warns that
# it does not know BPF_MAP_LOOKUP_BATCH: the buffers the kernel fills are
# zeroed first.)
supp=$(pwd)/valgrind.supp
# a static ebpfq (the default build) has its own malloc, which memcheck
# cannot replace: the same program linked with the shared C library runs
ldd "$EBPFQ" >/dev/null 2>&1 || EBPFQ=$EBPFQ_BUILDDIR/tests/ebpfq-shared
memcheck() {
	if ldd "$EBPFQ" 2>/dev/null | grep -q libasan; then
		ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 "$EBPFQ" "$@" 2>&1
	else
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=9 --suppressions="$supp" "$EBPFQ" "$@" >"$WORK/memcheck.out" 2>&1
		status=$?
		grep -v 'WARNING: unhandled eBPF command' "$WORK/memcheck.out"
		return $status
	fi
}
memcheck -c "$WORK/openers" -e 'tracepoint:syscalls:sys_enter_openat /comm == "openers"/ { printf("%s %s\n", comm, str(args->filename)); @[comm] = count(); @s[pid] = sum(2); $n = 1; } BEGIN { @b["x"] = 1; } END { print(@s); clear(@s); }'
echo "status $?"
cd "$WORK" || exit 1
memcheck -q -c "./stackwork 2 0 300" -e 'uprobe:./stackwork:c { @[ustack(2), ksym(kaddr("vfs_read"))] = count(); printf("%s|%s\n", ustack(1), usym(uaddr("b"))); }'
echo "status $?"
