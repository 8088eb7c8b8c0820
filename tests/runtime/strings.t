args: -q -e 'BEGIN { $s = comm; if ($s == "ebpfq") { printf("yes %s\n", $s) } $t = pid > 0 ? "pos" : "neg"; print($t); @name = comm; exit(); }'
