args: -q -e 'BEGIN { printf("%s|%s|%s\n", username, strftime("%Y", nsecs), cgroup_path(cgroup)); print(strftime("%H:%M", nsecs)); @u[username] = count(); @t = (username, 1); exit(); }'
