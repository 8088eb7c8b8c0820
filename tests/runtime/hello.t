args: -c $WORK/forker -e 'probe kprobe:sys_clone < print("Hello World!") >'
