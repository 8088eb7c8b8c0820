args: -e 'fexit:__do_sys_getppid { printf("%d\n", retval); exit() }'
status: 1
root: yes
