args: $TMP/include.ebq
status: 2
setup: printf '#include "no_such_header.h"\nBEGIN { exit(); }\n' > include.ebq
