args: -q -e 'BEGIN { printf("%s %s %d %d %d %d %d %d %d\n", probe, func, uid, gid, pid, tid, cpu, nsecs, elapsed < 1000000000); exit(); }'
