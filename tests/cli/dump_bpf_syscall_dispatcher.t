args: -n -d bpf -e 'tracepoint:syscalls:sys_exit_* { @ = count(); }'
status: 0
stdout: call bpf_tail_call#12
root: yes
