args: -l 'uprobe:libc:malloc_*'
status: 0
stdout: uprobe:libc:malloc_stats
