root: yes
args: --aot $TMP/f.o -e 'fentry:vfs_read { }'
status: 2
