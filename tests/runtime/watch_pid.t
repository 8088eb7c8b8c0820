run: sh watch_pid.sh
exact: yes
