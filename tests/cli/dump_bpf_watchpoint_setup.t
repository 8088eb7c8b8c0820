args: -d bpf -p 1 -e 'watchpoint:libc:malloc+arg0:8:w { @ = count() }'
status: 0
stdout: call bpf_send_signal#109
