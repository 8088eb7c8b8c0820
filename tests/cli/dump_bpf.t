args: -d bpf -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'
status: 0
stdout: call bpf_map_lookup_elem#1
root: yes
