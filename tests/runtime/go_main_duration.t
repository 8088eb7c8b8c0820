run: ex=$(pwd)/../../lang-examples/go-main-duration.ebq; cd $WORK && $EBPFQ -c ./hello-bpf "$ex"
