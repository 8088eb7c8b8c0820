args: for_map_control.ebq
exact: yes
