args: -e 'BEGIN { printf("%d [%s]\n", $2, str($2)); exit(); }' 1
status: 0
root: yes
stdout: 0 []
