args: bad_script.ebq
status: 2
