run: cd $WORK && $EBPFQ -c ./structwork "$OLDPWD/loops.ebq" 2>&1
exact: yes
