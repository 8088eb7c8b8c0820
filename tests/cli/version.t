args: --version
status: 0
stdout: ebpfq 0.1.0
