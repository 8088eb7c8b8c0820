#!/bin/sh
# uprobe_other_mount_ns.sh - with -p, a uprobe's PATH is the traced
# process's: a binary that exists only in its mount namespace is found
# under /proc/PID/root, and a library named without a path is the one the
# process has mapped.
unshare -m sh -c "mount -t tmpfs none /mnt && cp '$WORK/funcwork' /mnt/fw && exec /mnt/fw loop" &
sleep 0.5
pid=$(pgrep -f '^/mnt/fw loop$' | head -1)
[ -e /mnt/fw ] && echo "/mnt/fw is visible here: the test proves nothing"
timeout 20 "$EBPFQ" -p "$pid" -e 'uprobe:/mnt/fw:tick { printf("tick in %s\n", comm); exit(); }'
timeout 20 "$EBPFQ" -p "$pid" -e 'uprobe:libc:usleep { printf("usleep %d\n", arg0); exit(); }'
kill "$pid"
wait
