args: -q -f json -e 'BEGIN { print(username); @u[username] = count(); exit(); }'
