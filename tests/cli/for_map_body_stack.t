args: for_map_body_stack.ebq
status: 2
