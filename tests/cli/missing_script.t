args: nosuch.ebq
status: 2
