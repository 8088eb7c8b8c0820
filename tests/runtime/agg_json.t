run: sh agg_json.sh
exact: yes
