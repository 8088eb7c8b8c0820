args: -e 'BEGIN { print(kaddr("vfs_reed")); }'
status: 2
root: yes
