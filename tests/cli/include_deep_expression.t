setup: awk 'BEGIN { printf "enum deep { A = 1"; for (i = 0; i < 3000; i++) printf "+1"; print " };" }' > deep_enum.h && printf '#include "deep_enum.h"\nBEGIN { printf("%%d\\n", A); exit(); }\n' > include_deep.ebq
args: $TMP/include_deep.ebq
status: 2
