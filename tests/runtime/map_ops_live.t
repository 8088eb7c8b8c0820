run: sh map_ops_live.sh
exact: yes
