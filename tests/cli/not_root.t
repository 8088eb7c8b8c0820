args: -e 'BEGIN { exit() }'
status: 1
root: yes
prefix: setpriv --reuid=65534 --regid=65534 --clear-groups
