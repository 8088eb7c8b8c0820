run: sh stacks_json.sh
exact: yes
