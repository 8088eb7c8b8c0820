args: -c "$WORK/watchwork-nopie call" -e "watchpoint:0x$(nm $WORK/watchwork-nopie | awk '$3 == "watched" { print $1 }'):8:w { @w = count(); } watchpoint:0x$(nm $WORK/watchwork-nopie | awk '$3 == "watched" { print $1 }'):4:rw { @rw4 = count(); }"
exact: yes
