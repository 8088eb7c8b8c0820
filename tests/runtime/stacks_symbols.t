run: sh stacks_symbols.sh
exact: yes
