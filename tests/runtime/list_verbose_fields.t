args: -lv 'tracepoint:sock:inet_sock_set_state'
exact: yes
