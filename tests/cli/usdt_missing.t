args: -e 'usdt:/bin/true:nosuchprobe { exit() }'
status: 2
