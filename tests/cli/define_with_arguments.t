args: $TMP/define.ebq
status: 2
setup: printf '#define F(x) (x)\nBEGIN { exit(); }\n' > define.ebq
