run: printf 'not a program' >"$WORK/not_a_program"; chmod +x "$WORK/not_a_program"; $EBPFQ -c "$WORK/not_a_program" -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' 2>&1
status: 1
