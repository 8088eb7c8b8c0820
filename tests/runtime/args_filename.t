args: -q -c $WORK/openers -e 'tracepoint:syscalls:sys_enter_openat /comm == "openers"/ { $f = str(args->filename); if ($f == "/etc/hostname") { printf("%s\n", $f); exit(); } }'
