run: cd $WORK && $EBPFQ -c "./usertarget-nopie 4" -e 'uretprobe:./usertarget-nopie:square { printf("%s %d\n", func, retval); }'
