run: cd $WORK && $EBPFQ -c ./structwork "$OLDPWD/types_user_struct.ebq"
exact: yes
