args: -e 'BEGIN { printf("%d\n", curtask->pdi); }'
status: 2
root: yes
