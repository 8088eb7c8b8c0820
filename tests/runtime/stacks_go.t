run: cd $WORK && $EBPFQ -c ./hello-bpf -e 'uprobe:./hello-bpf:main.main { print(ustack); printf("%s %s\n", usym(uaddr("main.main")), func); }'
