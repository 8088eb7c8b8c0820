run: cd $WORK && $EBPFQ -c "./stackwork 1 0" -e 'tracepoint:syscalls:sys_enter_getppid /comm == "stackwork"/ { print(kstack); print(kstack(perf, 4)); @[kstack(2)] = count(); }'
