args: run /bin/sh
status: 1
