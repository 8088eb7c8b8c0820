/* helpers.h - the BPF helpers the compiler calls: names for the
 * disassembler, argument and return kinds for vcheck.c.
 *
 * The kinds are the subset of the kernel's bpf_func_proto argument types
 * that our programs meet; they say what vcheck must prove about each
 * argument register before the call, and what R0 holds after it. */
#ifndef EBPFQ_HELPERS_H
#define EBPFQ_HELPERS_H

enum helper_arg {
	HA_NONE,        /* no more arguments */
	HA_ANY,         /* initialised: a scalar or any pointer (probe_read's source, flags) */
	HA_MAP,         /* a map (ld_imm64 of a map), of type map_type when that is not 0 */
	HA_KEY,         /* memory read: the key_size bytes of the map in R1 */
	HA_VALUE,       /* memory read: the value_size bytes of the map in R1 */
	HA_READ_NEXT,   /* memory read, of the size in the next argument */
	HA_WRITE_NEXT,  /* memory the helper writes, of the size in the next argument */
	HA_SIZE,        /* a known constant > 0: the size of the previous argument */
	HA_ALLOC_SIZE,  /* a known constant > 0: bytes to reserve */
	HA_CTX,         /* the program's context (R1 at entry) */
	HA_RINGBUF_MEM, /* the start of memory from ringbuf_reserve: released by the call */
	HA_FUNC,        /* a subprogram (ld_imm64 pseudo func): the helper's callback */
	HA_CALLBACK_CTX, /* a known place on the stack, or 0: the callback's context */
};

enum helper_ret {
	HR_SCALAR,
	HR_MAP_VALUE_OR_NULL,   /* value_size bytes of the map in R1, or NULL */
	HR_RINGBUF_MEM_OR_NULL, /* HA_ALLOC_SIZE bytes, or NULL; must be released */
	HR_VOID,                /* R0 is not initialised afterwards */
};

struct bpf_helper_info {
	const char *name;       /* without the "bpf_" prefix */
	enum helper_arg args[5];
	enum helper_ret ret;
	unsigned map_type;      /* BPF_MAP_TYPE_* its HA_MAP argument must have; 0: any */
};

/* NULL for a helper the compiler does not know. */
const struct bpf_helper_info *bpf_helper(int id);

#endif
