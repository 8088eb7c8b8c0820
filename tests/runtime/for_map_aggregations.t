run: cd $WORK && $EBPFQ -c "./aggwork -n spread -s -g 2 12 -5 3 7 50 99 1000" "$OLDPWD/for_map_aggregations.ebq"
exact: yes
