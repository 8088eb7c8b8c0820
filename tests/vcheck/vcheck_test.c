/* vcheck_test.c - instruction sequences vcheck must accept or reject (each
 * rejection named by words its message must contain), instructions the
 * disassembler must print exactly as the kernel's verifier log does, and one
 * whole-program listing as `-d bpf` prints it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* Instruction builders, after the kernel's (include/linux/filter.h). */
#define INSN(c, d, s, o, i) {.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)}
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ALU_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_REG(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LDSX(sz, d, s, o) INSN(BPF_LDX | 0x80 /* BPF_MEMSX */ | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, op, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define XADD(d, s, o) ATOMIC(BPF_DW, BPF_ADD, d, s, o)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JEQ_IMM(d, i, o) JMP_IMM(BPF_JEQ, d, i, o)
#define JNE_IMM(d, i, o) JMP_IMM(BPF_JNE, d, i, o)
#define JLE_IMM(d, i, o) JMP_IMM(BPF_JLE, d, i, o)
#define JGT_IMM(d, i, o) JMP_IMM(BPF_JGT, d, i, o)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_##f)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define RET0 MOV_IMM(0, 0), EXIT
/* A number the checker cannot know: read from the context. */
#define CTX_NUM(d) LDX(BPF_DW, d, 1, 8)
/* In these tests a map load's imm names the map by its index in `maps`
 * below (the emitter leaves 0 there for the runtime to patch). */
#define LD_MAP(d, m) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, m), INSN(0, 0, 0, 0, 0)
#define LD_MAPVAL(d, m, o) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, m), INSN(0, 0, 0, 0, o)
#define LD_IMM64(d, lo, hi) INSN(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, lo), INSN(0, 0, 0, 0, hi)
/* The address of the subprogram `rel` + 1 instructions after this one. */
#define LD_FUNC(d, rel) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_FUNC, 0, rel), INSN(0, 0, 0, 0, 0)

enum { M_COUNTS, M_DATA, M_EVENTS, M_STACKS, M_HASH16 };

static const struct eq_map maps[] = {
	[M_COUNTS] = {.name = "@counts", .type = BPF_MAP_TYPE_PERCPU_HASH, .key_size = 16, .value_size = 8,
		      .max_entries = 64},
	[M_DATA] = {.name = "ebpfq_data", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16,
		    .max_entries = 1},
	[M_EVENTS] = {.name = "ebpfq_events", .type = BPF_MAP_TYPE_RINGBUF, .max_entries = 4096},
	[M_STACKS] = {.name = "@stacks", .type = BPF_MAP_TYPE_STACK_TRACE, .key_size = 4,
		      .value_size = 1016, .max_entries = 64},
	[M_HASH16] = {.name = "@pairs", .type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 16,
		      .max_entries = 64},
};

struct vcase {
	const char *name;
	const struct bpf_insn *insns;
	uint32_t ninsns;
	const char *reject; /* NULL: must be accepted; else words the message must contain */
	uint32_t subprog;   /* where the one subprogram starts, 0 if none */
};

#define PROG(...) (const struct bpf_insn[]){__VA_ARGS__}, \
	sizeof((const struct bpf_insn[]){__VA_ARGS__}) / sizeof(struct bpf_insn)

/* comm into fp-16, then look it up in @counts (r0: value or NULL). */
#define LOOKUP_BY_COMM                                                          \
	MOV_REG(1, 10), ADD_IMM(1, -16), MOV_IMM(2, 16), CALL(get_current_comm), \
	LD_MAP(1, M_COUNTS), MOV_REG(2, 10), ADD_IMM(2, -16), CALL(map_lookup_elem)
/* A program that writes fp-8 with `first` and 0 at fp-16, and calls back
 * the subprogram at instruction 12 for each entry of @pairs (8-byte keys,
 * 16-byte values), lending it the stack from fp-16 up; 12 instructions. */
#define CALLS_BACK(first)                                                         \
	first, ST(BPF_DW, 10, -16, 0), LD_MAP(1, M_HASH16), LD_FUNC(2, 7), MOV_REG(3, 10), \
	ADD_IMM(3, -16), MOV_IMM(4, 0), CALL(for_each_map_elem), RET0
/* 16 bytes reserved in the ring buffer (r0: memory or NULL). */
#define RESERVE16 LD_MAP(1, M_EVENTS), MOV_IMM(2, 16), MOV_IMM(3, 0), CALL(ringbuf_reserve)

static const struct vcase cases[] = {
	/* ---- programs the compiler emits, which must pass ---- */
	{"count_by_comm", PROG(LOOKUP_BY_COMM, JEQ_IMM(0, 0, 4), LDX(BPF_DW, 1, 0, 0), ADD_IMM(1, 1),
	  STX(BPF_DW, 0, 1, 0), JA(9), ST(BPF_DW, 10, -24, 1), LD_MAP(1, M_COUNTS), MOV_REG(2, 10),
	  ADD_IMM(2, -16), MOV_REG(3, 10), ADD_IMM(3, -24), MOV_IMM(4, 0), CALL(map_update_elem), RET0), NULL},
	{"ringbuf_output_record", PROG(ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 7), LD_MAP(1, M_EVENTS),
	  MOV_REG(2, 10), ADD_IMM(2, -16), MOV_IMM(3, 16), MOV_IMM(4, 0), CALL(ringbuf_output), RET0), NULL},
	{"atomic_add_map_value", PROG(LD_MAPVAL(1, M_DATA, 8), MOV_IMM(2, 1), XADD(1, 2, 0), RET0), NULL},
	{"branches_merge", PROG(CTX_NUM(6), MOV_IMM(2, 1), JEQ_IMM(6, 0, 2), MOV_IMM(3, 5), JA(1), MOV_IMM(3, 6),
	  MOV_REG(0, 3), EXIT), NULL},
	{"spilled_pointer_reloaded", PROG(LOOKUP_BY_COMM, STX(BPF_DW, 10, 0, -32), LDX(BPF_DW, 6, 10, -32),
	  JEQ_IMM(6, 0, 1), LDX(BPF_DW, 1, 6, 0), RET0), NULL},
	{"null_check_reaches_copies", PROG(LOOKUP_BY_COMM, MOV_REG(6, 0), JEQ_IMM(0, 0, 1),
	  LDX(BPF_DW, 1, 6, 0), RET0), NULL},
	{"ctx_read", PROG(LDX(BPF_DW, 2, 1, 16), MOV_REG(0, 2), EXIT), NULL},
	{"ringbuf_reserve_submit", PROG(RESERVE16, JEQ_IMM(0, 0, 5), ST(BPF_DW, 0, 8, 1), MOV_REG(1, 0),
	  MOV_IMM(2, 0), CALL(ringbuf_submit), JA(0), RET0), NULL},
	{"probe_read_then_load", PROG(LDX(BPF_DW, 3, 1, 8), MOV_REG(1, 10), ADD_IMM(1, -8), MOV_IMM(2, 8),
	  CALL(probe_read_kernel), LDX(BPF_DW, 0, 10, -8), EXIT), NULL},
	{"lookup_or_zero_merged", PROG(CTX_NUM(6), JEQ_IMM(6, 0, 10), LOOKUP_BY_COMM, JA(1), MOV_IMM(0, 0),
	  JEQ_IMM(0, 0, 1), LDX(BPF_DW, 1, 0, 0), RET0), NULL},
	{"known_branch_pruned", PROG(MOV_IMM(2, 1), JEQ_IMM(2, 1, 1), MOV_REG(0, 3), RET0), NULL},
	{"bounded_loop_settles", PROG(MOV_IMM(1, 0), ADD_IMM(1, 1), JMP_IMM(BPF_JLT, 1, 10, -2), RET0), NULL},
	/* kstack: the stack id from the stack map, the context kept in r6 */
	{"stackid_from_saved_ctx", PROG(MOV_REG(6, 1), LD_MAP(2, M_STACKS), MOV_REG(1, 6), MOV_IMM(3, 256),
	  CALL(get_stackid), STX(BPF_DW, 10, 0, -8), RET0), NULL},
	{"signed_and_32bit_alu", PROG(MOV_IMM(2, -7), INSN(BPF_ALU64 | BPF_DIV | BPF_K, 2, 0, 1, 2),
	  ALU32_REG(BPF_MOV, 3, 2), INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 3, 8, 0),
	  INSN(BPF_JMP32 | BPF_JSGT | BPF_K, 4, 0, 1, 0), MOV_REG(0, 4), RET0), NULL},

	/* ---- each rule broken ---- */
	{"uninit_register", PROG(MOV_REG(0, 3), EXIT), "reads r3 before it is written"},
	{"read_after_call_clobber", PROG(MOV_IMM(3, 1), CALL(ktime_get_ns), MOV_REG(0, 3), EXIT),
	 "instruction 2 (r0 = r3) reads r3 after the helper call at instruction 1 clobbered it"},
	{"written_on_one_path_only", PROG(CTX_NUM(6), JEQ_IMM(6, 0, 1), MOV_IMM(3, 1), MOV_REG(0, 3), EXIT),
	 "reads r3 before it is written"},
	{"uninit_stack_read", PROG(LDX(BPF_DW, 0, 10, -8), EXIT), "reads stack byte fp-8 before it is written"},
	{"stack_written_on_one_path_only", PROG(CTX_NUM(6), JEQ_IMM(6, 0, 1), ST(BPF_DW, 10, -8, 0),
	  LDX(BPF_DW, 0, 10, -8), EXIT), "before it is written"},
	{"helper_reads_uninit_stack", PROG(LD_MAP(1, M_COUNTS), MOV_REG(2, 10), ADD_IMM(2, -16),
	  CALL(map_lookup_elem), RET0), "passes the helper stack byte fp-16 before it is written"},
	{"helper_reads_partly_written_key", PROG(ST(BPF_DW, 10, -16, 0), LD_MAP(1, M_COUNTS),
	  MOV_REG(2, 10), ADD_IMM(2, -16), CALL(map_lookup_elem), RET0), "fp-8 before it is written"},
	{"stack_out_of_bounds", PROG(ST(BPF_DW, 10, -520, 0), RET0), "outside its 512 bytes"},
	{"stack_above_frame", PROG(ST(BPF_DW, 10, 0, 0), RET0), "outside its 512 bytes"},
	{"helper_writes_past_frame", PROG(MOV_REG(1, 10), ADD_IMM(1, -8), MOV_IMM(2, 16),
	  CALL(get_current_comm), RET0), "fp-8, outside its 512 bytes"},
	{"stack_misaligned", PROG(ST(BPF_DW, 10, -12, 0), RET0), "misaligned"},
	{"stack_variable_offset", PROG(MOV_REG(1, 10), ADD_IMM(1, -8), ST(BPF_DW, 1, 0, 0),
	  JA(-3)), "offset that is not known"},
	{"missing_null_check", PROG(LOOKUP_BY_COMM, LDX(BPF_DW, 1, 0, 0), RET0),
	 "instruction 9 (r1 = *(u64 *)(r0 +0)) dereferences a map value that may be NULL"},
	{"null_side_deref", PROG(LOOKUP_BY_COMM, JNE_IMM(0, 0, 2), LDX(BPF_DW, 1, 0, 0), JA(0), RET0),
	 "dereferences r0, which holds a number"},
	{"check_one_path_only", PROG(CTX_NUM(6), LOOKUP_BY_COMM, JEQ_IMM(6, 0, 1), JEQ_IMM(0, 0, 2),
	  LDX(BPF_DW, 1, 0, 0), RET0), "may be NULL"},
	{"arith_on_maybe_null", PROG(LOOKUP_BY_COMM, ADD_IMM(0, 8), RET0), "may be NULL"},
	{"mixed_kinds_deref", PROG(CTX_NUM(6), MOV_REG(2, 10), JEQ_IMM(6, 0, 1), MOV_IMM(2, 0), LDX(BPF_DW, 0, 2, -8),
	  EXIT), "different kinds of value on different paths"},
	/* either of two maps' values, as LLVM's code loads them (one load where
	 * the paths meet): within the smaller's bytes */
	{"two_maps_values_one_load", PROG(LD_MAPVAL(0, M_DATA, 0), CTX_NUM(6), JEQ_IMM(6, 0, 10),
	  LOOKUP_BY_COMM, JEQ_IMM(0, 0, 1), LDX(BPF_DW, 1, 0, 0), RET0), NULL},
	{"two_maps_values_past_smaller", PROG(LD_MAPVAL(0, M_DATA, 0), CTX_NUM(6), JEQ_IMM(6, 0, 10),
	  LOOKUP_BY_COMM, JEQ_IMM(0, 0, 1), LDX(BPF_DW, 1, 0, 8), RET0), "outside its 8 bytes"},
	{"deref_scalar", PROG(MOV_IMM(2, 100), LDX(BPF_DW, 0, 2, 0), EXIT), "holds a number, not a pointer"},
	{"map_value_out_of_bounds", PROG(LOOKUP_BY_COMM, JEQ_IMM(0, 0, 1), LDX(BPF_DW, 1, 0, 8), RET0),
	 "accesses a map value outside its 8 bytes"},
	{"map_value_addr_out_of_bounds", PROG(LD_MAPVAL(1, M_DATA, 12), MOV_IMM(2, 1), XADD(1, 2, 0), RET0),
	 "outside its 16 bytes"},
	{"map_value_addr_of_hash", PROG(LD_MAPVAL(1, M_COUNTS, 0), RET0), "not an array"},
	{"jump_out_of_range", PROG(JA(5), RET0), "jumps to instruction 6, outside"},
	{"jump_before_start", PROG(JEQ_IMM(1, 0, -2), RET0), "jumps to instruction -1"},
	{"jump_into_ld_imm64", PROG(JEQ_IMM(1, 0, 1), LD_IMM64(0, 1, 2), EXIT), "into the middle"},
	{"fall_off_end", PROG(MOV_IMM(0, 0)), "falls off the end"},
	{"unreachable_code", PROG(RET0, MOV_IMM(0, 1), EXIT), "instruction 2 (r0 = 1) can never run"},
	{"exit_without_r0", PROG(EXIT), "exits before r0 is written"},
	{"exit_with_pointer", PROG(MOV_REG(0, 10), EXIT), "pointer in r0"},
	{"write_ctx", PROG(ST(BPF_DW, 1, 0, 0), RET0), "read-only context"},
	{"write_fp", PROG(MOV_IMM(10, 0), RET0), "read-only frame pointer"},
	{"unknown_helper", PROG(INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 9999), RET0), "does not know"},
	{"unknown_opcode", PROG(INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0), RET0), "opcode 0x20"},
	/* buf(p, n): a size known only at run time, bounded by a comparison on
	 * each path (n <= 16, or 16) */
	{"helper_size_bounded", PROG(CALL(ktime_get_ns), MOV_REG(2, 0), JLE_IMM(2, 16, 1), MOV_IMM(2, 16),
	  MOV_REG(1, 10), ADD_IMM(1, -16), MOV_IMM(3, 0), CALL(probe_read_kernel), RET0), NULL},
	{"helper_size_bounded_past_buffer", PROG(CALL(ktime_get_ns), MOV_REG(2, 0), JLE_IMM(2, 32, 1),
	  MOV_IMM(2, 16), MOV_REG(1, 10), ADD_IMM(1, -16), MOV_IMM(3, 0), CALL(probe_read_kernel), RET0),
	 "outside"},
	{"helper_size_bounded_wrong_side", PROG(CALL(ktime_get_ns), MOV_REG(2, 0), JGT_IMM(2, 16, 1),
	  MOV_IMM(2, 16), MOV_REG(1, 10), ADD_IMM(1, -16), MOV_IMM(3, 0), CALL(probe_read_kernel), RET0),
	 "not a known constant"},
	{"helper_size_not_constant", PROG(CALL(ktime_get_ns), MOV_REG(2, 0), MOV_REG(1, 10),
	  ADD_IMM(1, -16), CALL(get_current_comm), RET0), "not a known constant"},
	{"scalar_as_map", PROG(MOV_IMM(1, 0), MOV_REG(2, 10), CALL(map_lookup_elem), RET0), "not a map"},
	{"lookup_in_ringbuf", PROG(ST(BPF_W, 10, -4, 0), LD_MAP(1, M_EVENTS), MOV_REG(2, 10), ADD_IMM(2, -4),
	  CALL(map_lookup_elem), RET0), "map ebpfq_events, a type of map"},
	{"ringbuf_output_to_hash", PROG(ST(BPF_DW, 10, -8, 0), LD_MAP(1, M_HASH16), MOV_REG(2, 10),
	  ADD_IMM(2, -8), MOV_IMM(3, 8), MOV_IMM(4, 0), CALL(ringbuf_output), RET0), "a type of map"},
	{"map_load_without_reference", PROG(INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, 99),
	  INSN(0, 0, 0, 0, 0), RET0), "map references do not name"},
	{"pointer_arith_refused", PROG(MOV_REG(2, 10), ALU_REG(BPF_MUL, 2, 2), RET0), "arithmetic on a pointer"},
	{"divide_by_zero", PROG(MOV_IMM(2, 5), ALU_IMM(BPF_DIV, 2, 0), RET0), "divides by the constant 0"},
	{"partial_spill_read", PROG(STX(BPF_DW, 10, 10, -8), LDX(BPF_W, 0, 10, -8), EXIT),
	 "part of a spilled pointer"},
	{"ringbuf_leak", PROG(RESERVE16, JEQ_IMM(0, 0, 1), ST(BPF_DW, 0, 0, 1), RET0),
	 "reserved at instruction 4 is neither submitted nor discarded"},
	{"ringbuf_use_after_submit", PROG(RESERVE16, JEQ_IMM(0, 0, 5), MOV_REG(6, 0), MOV_REG(1, 0),
	  MOV_IMM(2, 0), CALL(ringbuf_submit), ST(BPF_DW, 6, 0, 1), RET0), "clobbered"},
	{"ringbuf_past_reservation", PROG(RESERVE16, JEQ_IMM(0, 0, 5), ST(BPF_DW, 0, 16, 1),
	  MOV_REG(1, 0), MOV_IMM(2, 0), CALL(ringbuf_submit), JA(0), RET0),
	 "ring buffer memory outside its 16 bytes"},
	{"exit_after_void_call", PROG(RESERVE16, JEQ_IMM(0, 0, 3), MOV_REG(1, 0), MOV_IMM(2, 0),
	  CALL(ringbuf_discard), EXIT), "exits with r0 unreadable after the helper call at instruction 8"},
	{"stackid_into_hash", PROG(LD_MAP(2, M_HASH16), MOV_IMM(3, 0), CALL(get_stackid), EXIT),
	 "a type of map"},
	{"stack_map_lookup", PROG(ST(BPF_W, 10, -8, 0), LD_MAP(1, M_STACKS), MOV_REG(2, 10), ADD_IMM(2, -8),
	  CALL(map_lookup_elem), RET0), "a type of map"},
	{"stackid_wants_ctx", PROG(MOV_REG(1, 10), LD_MAP(2, M_STACKS), MOV_IMM(3, 0), CALL(get_stackid),
	  EXIT), "not the unmodified context"},

	/* ---- callbacks: r1 the map, r2 its key, r3 its value, r4 the lent stack ---- */
	{"callback_reads_key_value_and_caller", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)),
	  LDX(BPF_DW, 6, 2, 0), LDX(BPF_DW, 7, 3, 8), LDX(BPF_DW, 8, 4, 8), STX(BPF_DW, 4, 6, 0),
	  ST(BPF_DW, 3, 0, 1), RET0), NULL, 12},
	{"callback_gets_spilled_ctx", PROG(CALLS_BACK(STX(BPF_DW, 10, 1, -8)), LDX(BPF_DW, 1, 4, 8),
	  LDX(BPF_DW, 0, 1, 16), RET0), NULL, 12},
	{"callback_stops", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), MOV_IMM(0, 1), EXIT), NULL, 12},
	{"callback_writes_key", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), ST(BPF_DW, 2, 0, 1), RET0),
	 "writes to a map's key", 12},
	{"callback_key_out_of_bounds", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), LDX(BPF_DW, 6, 2, 8), RET0),
	 "accesses a map key outside its 8 bytes", 12},
	{"callback_reads_unwritten_caller_byte", PROG(CALLS_BACK(ST(BPF_W, 10, -8, 7)),
	  LDX(BPF_DW, 6, 4, 8), RET0), "reads its caller's stack byte fp-4 before the caller writes it", 12},
	{"callback_below_what_is_lent", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), ST(BPF_DW, 4, -8, 0),
	  RET0), "outside the bytes from fp-16 the call lent it", 12},
	{"callback_reads_spilled_pointer", PROG(CALLS_BACK(STX(BPF_DW, 10, 10, -8)), LDX(BPF_DW, 6, 4, 8),
	  RET0), "reads a pointer its caller spilled", 12},
	{"callback_stores_pointer_in_caller", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), STX(BPF_DW, 4, 3, 0),
	  RET0), "stores a pointer into its caller's stack", 12},
	{"callback_returns_2", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), MOV_IMM(0, 2), EXIT),
	 "returns from a callback with r0 not known to be 0 or 1", 12},
	{"callback_returns_unknown", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), LDX(BPF_DW, 0, 3, 0), EXIT),
	 "not known to be 0 or 1", 12},
	{"callback_stack_on_callers", PROG(CALLS_BACK(ST(BPF_DW, 10, -8, 7)), ST(BPF_DW, 10, -488, 0), RET0),
	 "needs 544 bytes of stack with the callbacks it calls", 12},
	{"callback_never_called", PROG(LD_FUNC(2, 3), RET0, RET0), "starts a subprogram that no helper call "
	 "reaches", 4},
	{"callback_ctx_is_context", PROG(LD_MAP(6, M_HASH16), MOV_REG(3, 1), MOV_REG(1, 6), LD_FUNC(2, 5),
	  MOV_IMM(4, 0), CALL(for_each_map_elem), RET0, RET0), "neither a known place on the stack nor 0", 10},
	/* what the callback may have written where the caller lent it is a number afterwards */
	{"callback_clobbers_lent_spill", PROG(STX(BPF_DW, 10, 10, -8), ST(BPF_DW, 10, -16, 0), LD_MAP(1, M_HASH16),
	  LD_FUNC(2, 8), MOV_REG(3, 10), ADD_IMM(3, -16), MOV_IMM(4, 0), CALL(for_each_map_elem),
	  LDX(BPF_DW, 6, 10, -8), LDX(BPF_DW, 0, 6, -16), EXIT, RET0), "dereferences r6, which holds a number", 13},
};

/* Runs one case on a program with one source line per instruction, so that
 * the location of each message is checked too. */
static bool run_case(const struct vcase *c, struct eq_image *img, struct arena *scratch)
{
	struct eq_prog p = {.name = "probe0", .probe_name = c->name, .line = 1, .col = 1,
			    .insns = (struct bpf_insn *)c->insns, .ninsns = c->ninsns,
			    .func_starts = (uint32_t *)&c->subprog, .nfuncs = c->subprog > 0};
	struct eq_map_ref refs[16];
	struct eq_line lines[64];
	for (uint32_t i = 0; i < p.ninsns && i < 64; i++, p.nlines++)
		lines[i] = (struct eq_line){i, 1, i + 1};
	for (uint32_t i = 0; i < p.ninsns; i++) {
		const struct bpf_insn *in = &c->insns[i];
		if (in->code != (BPF_LD | BPF_DW | BPF_IMM) || !in->src_reg)
			continue;
		if (in->imm >= 0 && in->imm < img->nmaps && p.nrefs < 16)
			refs[p.nrefs++] = (struct eq_map_ref){i, (uint32_t)in->imm,
							      in->src_reg == BPF_PSEUDO_MAP_VALUE, 0};
	}
	p.lines = lines;
	p.refs = refs;
	char *msg = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&msg, &len);
	struct eq_source src = {"test.ebq", img->source_lines[0], strlen(img->source_lines[0])};
	struct eq_diag diag = {.src = &src, .out = mem};
	int rc = vcheck_prog(scratch, img, &p, &diag);
	fclose(mem);
	bool ok = rc == 0 && !c->reject;
	if (c->reject && rc < 0 && strstr(msg, c->reject)) {
		/* the error is placed at the column of the instruction it names */
		unsigned at = 0, col = 0;
		ok = sscanf(msg, "test.ebq:1:%u:", &col) == 1 &&
		     sscanf(strstr(msg, "instruction "), "instruction %u", &at) == 1 && col == at + 1;
	}
	if (!ok)
		printf("    got %s: %s", rc ? "rejection" : "acceptance", msg ? msg : "");
	free(msg);
	return ok;
}

struct pcase {
	struct bpf_insn insns[2];
	const char *text;
};

static const struct pcase prints[] = {
	{{MOV_REG(1, 10)}, "r1 = r10"},
	{{ADD_IMM(1, -16)}, "r1 += -16"},
	{{MOV_IMM(2, 16)}, "r2 = 16"},
	{{ALU_IMM(BPF_RSH, 0, 32)}, "r0 >>= 32"},
	{{ALU_IMM(BPF_ARSH, 1, 3)}, "r1 s>>= 3"},
	{{ALU_IMM(BPF_AND, 1, -1)}, "r1 &= -1"},
	{{INSN(BPF_ALU64 | BPF_NEG, 1, 0, 0, 0)}, "r1 = -r1"},
	{{INSN(BPF_ALU | BPF_NEG, 1, 0, 0, 0)}, "w1 = -w1"},
	{{ALU32_REG(BPF_MOV, 1, 2)}, "w1 = w2"},
	{{INSN(BPF_ALU | BPF_ADD | BPF_K, 1, 0, 0, 5)}, "w1 += 5"},
	{{INSN(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0)}, "r1 s/= r2"},
	{{INSN(BPF_ALU64 | BPF_MOD | BPF_K, 1, 0, 1, 3)}, "r1 s%= 3"},
	{{ALU_REG(BPF_DIV, 1, 2)}, "r1 /= r2"},
	{{ALU_REG(BPF_XOR, 3, 4)}, "r3 ^= r4"},
	{{ALU_REG(BPF_LSH, 3, 4)}, "r3 <<= r4"},
	{{INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 8, 0)}, "r1 = (s8)r2"},
	{{INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 32, 0)}, "r1 = (s32)r2"},
	{{INSN(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 16, 0)}, "w1 = (s16)w2"},
	{{INSN(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16)}, "r1 = be16 r1"},
	{{INSN(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 32)}, "r1 = le32 r1"},
	{{INSN(BPF_ALU64 | BPF_END, 1, 0, 0, 64)}, "r1 = bswap64 r1"},
	{{LDX(BPF_DW, 1, 10, -8)}, "r1 = *(u64 *)(r10 -8)"},
	{{LDX(BPF_W, 1, 6, 16)}, "r1 = *(u32 *)(r6 +16)"},
	{{LDSX(BPF_W, 1, 2, 0)}, "r1 = *(s32 *)(r2 +0)"},
	{{LDSX(BPF_B, 3, 10, -1)}, "r3 = *(s8 *)(r10 -1)"},
	{{ST(BPF_W, 10, -4, 0)}, "*(u32 *)(r10 -4) = 0"},
	{{STX(BPF_DW, 10, 1, -24)}, "*(u64 *)(r10 -24) = r1"},
	{{ST(BPF_B, 10, -1, 65)}, "*(u8 *)(r10 -1) = 65"},
	{{STX(BPF_H, 1, 2, 2)}, "*(u16 *)(r1 +2) = r2"},
	{{XADD(1, 2, 0)}, "lock *(u64 *)(r1 +0) += r2"},
	{{ATOMIC(BPF_W, BPF_OR, 1, 2, 4)}, "lock *(u32 *)(r1 +4) |= r2"},
	{{ATOMIC(BPF_DW, BPF_ADD | BPF_FETCH, 1, 2, 0)}, "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)"},
	{{ATOMIC(BPF_W, BPF_XOR | BPF_FETCH, 1, 3, 8)}, "r3 = atomic_fetch_xor((u32 *)(r1 +8), r3)"},
	{{ATOMIC(BPF_DW, BPF_XCHG, 1, 2, 0)}, "r2 = atomic64_xchg((u64 *)(r1 +0), r2)"},
	{{ATOMIC(BPF_DW, BPF_CMPXCHG, 1, 2, 0)}, "r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)"},
	{{JEQ_IMM(0, 0, 4)}, "if r0 == 0x0 goto pc+4"},
	{{JMP_IMM(BPF_JNE, 1, -1, 2)}, "if r1 != 0xffffffff goto pc+2"},
	{{JMP_REG(BPF_JSGT, 1, 2, -3)}, "if r1 s> r2 goto pc-3"},
	{{JMP_REG(BPF_JSLE, 1, 2, 1)}, "if r1 s<= r2 goto pc+1"},
	{{INSN(BPF_JMP32 | BPF_JGT | BPF_K, 1, 0, 1, 5)}, "if w1 > 0x5 goto pc+1"},
	{{INSN(BPF_JMP32 | BPF_JSLT | BPF_X, 1, 2, 2, 0)}, "if w1 s< w2 goto pc+2"},
	{{JMP_IMM(BPF_JSET, 3, 8, 2)}, "if r3 & 0x8 goto pc+2"},
	{{JA(-3)}, "goto pc-3"},
	{{INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 70000)}, "gotol pc+70000"},
	{{CALL(map_lookup_elem)}, "call bpf_map_lookup_elem#1"},
	{{CALL(get_current_comm)}, "call bpf_get_current_comm#16"},
	{{CALL(ringbuf_output)}, "call bpf_ringbuf_output#130"},
	{{INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 9999)}, "call unknown#9999"},
	{{INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 3)}, "call pc+3"},
	{{EXIT}, "exit"},
	{{LD_IMM64(1, 0x34, 0x12)}, "r1 = 0x1200000034 ll"},
	{{LD_MAP(1, 0)}, "r1 = map[fd:0]"},
	{{LD_MAPVAL(0, 3, 8)}, "r0 = map[fd:3][0]+8"},
	{{INSN(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12)}, "r0 = *(u16 *)skb[12]"},
};

/* bpf_prog_print: header, one "; line @ FILE:LINE" comment per change of
 * line, map names from the reference table. */
static bool print_program(void)
{
	static const struct bpf_insn insns[] = {LD_MAP(1, 0), LD_MAPVAL(0, 0, 8), MOV_IMM(0, 0), EXIT};
	struct eq_map m[] = {{.name = "@forks", .type = BPF_MAP_TYPE_ARRAY, .value_size = 16}};
	struct eq_map_ref refs[] = {{0, 0, false, 0}, {2, 0, true, 8}};
	struct eq_line lines[] = {{0, 2, 3}, {2, 2, 9}, {4, 3, 1}};
	const char *src[] = {"kprobe:sys_clone {", "  @forks = 1;", "  exit(); }"};
	struct eq_image img = {.file = "f.ebq", .source_lines = src, .nsource_lines = 3, .maps = m, .nmaps = 1};
	struct eq_prog p = {.name = "probe0", .probe_name = "kprobe:sys_clone", .insns = (struct bpf_insn *)insns,
			    .ninsns = 6, .refs = refs, .nrefs = 2, .lines = lines, .nlines = 3};
	const char *want =
		"probe0: kprobe:sys_clone (6 instructions)\n"
		"; @forks = 1; @ f.ebq:2\n"
		"   0: r1 = map[@forks]\n"
		"   2: r0 = map[@forks][0]+8\n"
		"; exit(); } @ f.ebq:3\n"
		"   4: r0 = 0\n"
		"   5: exit\n";
	char *got = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&got, &len);
	bpf_prog_print(mem, &img, &p);
	fclose(mem);
	bool ok = !strcmp(got, want);
	if (!ok)
		printf("    got:\n%s    want:\n%s", got, want);
	free(got);
	return ok;
}

int main(void)
{
	const char *lines[] = {"BEGIN { a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 }"};
	struct eq_image img = {.file = "test.ebq", .source_lines = lines, .nsource_lines = 1,
			       .maps = (struct eq_map *)maps, .nmaps = sizeof(maps) / sizeof(maps[0]),
			       .ringbuf_map = M_EVENTS, .drops_map = M_DATA};
	struct arena scratch = {0}; /* reused by every case, as the compiler reuses it */
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = run_case(&cases[i], &img, &scratch);
		printf("%s: vcheck %s\n", ok ? "PASS" : "FAIL", cases[i].name);
		ok ? passed++ : failed++;
	}
	arena_free(&scratch);
	for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
		char buf[128] = "";
		FILE *mem = fmemopen(buf, sizeof(buf) - 1, "w");
		bpf_insn_print(mem, prints[i].insns, 0, 2);
		fclose(mem);
		bool ok = !strcmp(buf, prints[i].text);
		printf("%s: print %s", ok ? "PASS" : "FAIL", prints[i].text);
		if (!ok)
			printf(" (got \"%s\")", buf);
		putchar('\n');
		ok ? passed++ : failed++;
	}
	bool ok = print_program();
	printf("%s: bpf_prog_print\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
