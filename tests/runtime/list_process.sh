#!/bin/sh
# list_process.sh - -l -p PID lists the functions of the files the process
# has mapped (its program, its libraries), a pattern after -l or before -p.
"$WORK/funcwork" loop &
pid=$!
sleep 0.3
"$EBPFQ" -l -p "$pid" | grep -c "^uprobe:$WORK/funcwork:tick$"
"$EBPFQ" -l 'uprobe:*funcwork:stack_*' -p "$pid"
"$EBPFQ" -l -p "$pid" 'uprobe:*libc.so*:malloc' | sed 's#:/.*/#:/LIBDIR/#'
"$EBPFQ" -l -p "$pid" | grep -c '^tracepoint:'
kill "$pid"
wait
