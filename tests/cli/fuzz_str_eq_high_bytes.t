args: -d bpf fuzz_str_eq_high_bytes.ebq
status: 0
stdout: r5 = 0xff64697070746567 ll
root: yes
