args: -e 'BEGIN { system("ls") }'
status: 2
