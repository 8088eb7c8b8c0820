run: cd $WORK && $EBPFQ --strlen 1024 -c ./structwork "$OLDPWD/scratch_big_values.ebq" | grep -v '^@tasks'
exact: yes
