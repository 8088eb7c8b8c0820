args: --unsafe -e 'BEGIN { printf("first\n"); cat("/proc/self/%s", "comm"); system("echo system %d", 42); time("time %Y-%m-%d %H:%M:%S.%f\n"); printf("last\n"); exit(); }'
exact: yes
