args: for_map_values.ebq
exact: yes
