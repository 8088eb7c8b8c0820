args: -e 'BEGIN { $s = "vfs_read"; print(kaddr($s)); }'
status: 2
