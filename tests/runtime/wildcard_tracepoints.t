args: -q -c $WORK/openers -e 'tracepoint:syscalls:sys_enter_open* /comm == "openers"/ { @[probe] = count(); }'
