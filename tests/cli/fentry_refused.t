args: -e 'fentry:vfs_read { exit() }'
status: 1
root: yes
