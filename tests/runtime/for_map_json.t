args: -f json for_map_json.ebq
exact: yes
