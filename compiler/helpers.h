/* helpers.h - the BPF helpers the compiler calls: names for the
 * disassembler, argument and return kinds for vcheck.c. */
#ifndef EBPFQ_HELPERS_H
#define EBPFQ_HELPERS_H

enum helper_arg {
	HA_NONE,
	HA_ANY,         /* a scalar or any pointer (probe_read's source, flags) */
	HA_MAP,         /* a map (ld_imm64 of a map fd) */
	HA_KEY,         /* stack memory read: the map's key_size bytes */
	HA_VALUE,       /* stack memory read: the map's value_size bytes */
	HA_READ_NEXT,   /* stack memory read, of the size in the next argument */
	HA_WRITE_NEXT,  /* memory the helper writes, of the size in the next argument */
	HA_SIZE,        /* a size (a constant, for the previous argument) */
	HA_CTX,
	HA_RINGBUF_MEM, /* memory from ringbuf_reserve */
};

enum helper_ret {
	HR_SCALAR,
	HR_MAP_VALUE_OR_NULL,
	HR_RINGBUF_MEM_OR_NULL,
	HR_VOID,
};

struct bpf_helper_info {
	const char *name;
	enum helper_arg args[5];
	enum helper_ret ret;
};

/* NULL for a helper the compiler does not know. */
const struct bpf_helper_info *bpf_helper(int id);

#endif
