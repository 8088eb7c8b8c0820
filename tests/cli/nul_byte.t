setup: printf 'BEGIN { exit() \0 }\n' > nul.ebq
args: $TMP/nul.ebq
status: 2
