run: cd $WORK && $EBPFQ -c "./aggwork -n one -g 1 4 1 2 3 200" "$OLDPWD/print_hist_entry.ebq"
exact: yes
