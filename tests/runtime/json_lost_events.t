run: sh json_lost_events.sh
exact: yes
