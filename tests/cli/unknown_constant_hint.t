args: -e 'BEGIN { if (0 == TASK_RUNNING) { exit(); } }'
status: 2
