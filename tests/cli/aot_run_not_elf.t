args: run bad_script.ebq
status: 1
