run: sh exit_then_end.sh
exact: yes
