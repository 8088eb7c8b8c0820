run: cd $WORK && $EBPFQ -c ./structwork "$OLDPWD/types_user_values.ebq"
exact: yes
