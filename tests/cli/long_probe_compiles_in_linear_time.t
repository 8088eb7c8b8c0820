# One probe of 12,000 statements (240,004 instructions) compiles in about half a
# second: every pass is linear (or n log n) in a probe's length.  Not a timed
# test: if a pass turned quadratic again this would take half a minute or more
# (the compiler took 12.6 s for 8,000 such statements before, 3.4 s for 4,000),
# and the suite's 20 s timeout per case fails it.  bench/compiletime.sh measures.
setup: awk 'BEGIN { print "BEGIN { $a = 1; $b = 2;"; for (i = 0; i < 12000; i++) print "$a = $a + $b * 7; if ($a > 7) { @m[7] = $a; }"; print "}" }' > long.ebq
args: -d bpf $TMP/long.ebq
status: 0
stdout: probe0: BEGIN (240004 instructions)
