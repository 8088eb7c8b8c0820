#!/bin/sh
# valgrind.sh - a whole traced run under valgrind memcheck: no leak, no
# invalid access, no uninitialised read.  An AddressSanitizer build cannot
# run under valgrind; there ASan, which checks the same, runs it instead.
set -- -c "$WORK/openers" -e 'tracepoint:syscalls:sys_enter_openat /comm == "openers"/ { printf("%s %s\n", comm, str(args->filename)); @[comm] = count(); @s[pid] = sum(2); $n = 1; } BEGIN { @b["x"] = 1; } END { print(@s); clear(@s); }'
if ldd "$EBPFQ" 2>/dev/null | grep -q libasan; then
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 "$EBPFQ" "$@" 2>&1
else
	valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=9 --suppressions=valgrind.supp "$EBPFQ" "$@" 2>&1
fi
echo "status $?"
