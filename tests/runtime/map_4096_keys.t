run: sh map_many_keys.sh 100000
exact: yes
