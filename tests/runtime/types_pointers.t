run: cd $WORK && $EBPFQ -c ./structwork "$OLDPWD/types_pointers.ebq"
exact: yes
