run: sh stacks_exited_process.sh
exact: yes
