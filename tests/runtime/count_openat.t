args: -c $WORK/openers -e 'tracepoint:syscalls:sys_enter_openat /comm == "openers" && str(args->filename) == "/etc/hostname"/ { @[comm] = count(); }'
