args: --backend gcc -e 'BEGIN { exit(); }'
status: 2
