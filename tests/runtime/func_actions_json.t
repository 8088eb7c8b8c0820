args: --unsafe -f json -e 'BEGIN { cat("/proc/self/comm"); system("echo system"); time("%Y\n"); exit(); }'
exact: yes
