args: -c nosuchcommand -e 'BEGIN { exit() }'
status: 1
root: yes
