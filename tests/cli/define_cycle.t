args: define_cycle.ebq
status: 2
