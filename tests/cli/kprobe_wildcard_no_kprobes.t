args: -e 'kprobe:vfs_rea* { exit() }'
status: 1
root: yes
