args: -e 'probe kprobe:sys_clone < print("Hello World!")'
status: 2
