setup: awk 'BEGIN { printf "BEGIN { $x = "; for (i = 0; i < 10000; i++) printf "("; printf "1"; for (i = 0; i < 10000; i++) printf ")"; print " }" }' > deep.ebq
args: $TMP/deep.ebq
status: 2
