args: defines_system_header.ebq
exact: yes
