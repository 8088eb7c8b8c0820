# write_bytes.sh - one write(2) of 6 bytes, one of them not printable
printf 'ab\001cd\n' >/dev/null
