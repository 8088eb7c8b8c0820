run: sh agg_read.sh
exact: yes
