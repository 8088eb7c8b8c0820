run: sh syscall_dispatch_numbers.sh
