args: -c "$WORK/usertarget 2" -e 'uprobe:libc:printf { @printf = count(); } uretprobe:c:malloc { @malloc = count(); }'
