args: -q -e 'BEGIN { if (pid == 0) { $s = comm; $x = 5; } printf("[%s] %d\n", $s, $x); if (pid) { $t = comm; $y = 7; } printf("[%s] %d\n", $t, $y); exit(); }'
