run: sh agg_exact_keyed.sh
exact: yes
