run: sh agg_exact.sh
exact: yes
