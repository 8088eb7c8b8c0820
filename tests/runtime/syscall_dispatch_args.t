run: sh syscall_dispatch_args.sh
