setup: awk 'BEGIN{srand(7); for(i=0;i<200;i++) printf "%c", int(rand()*256)}' > garbage.ebq
args: $TMP/garbage.ebq
status: 2
