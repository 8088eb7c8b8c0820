args: -n -e 'BEGIN { $f = "%H"; printf("%s\n", strftime($f, nsecs)); }'
status: 2
