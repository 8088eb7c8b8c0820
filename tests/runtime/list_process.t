run: sh list_process.sh
exact: yes
