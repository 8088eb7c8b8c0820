args: -q -e 'BEGIN { @a = 1; print(@a); clear(@a); @b[1] = 10; @b[2] = 20; delete(@b[2]); exit(); }'
