args: --help
status: 0
stdout: usage: ebpfq
