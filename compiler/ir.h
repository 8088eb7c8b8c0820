/* ir.h - the intermediate representation: per probe, basic blocks of
 * three-address operations on virtual registers.
 *
 * Not SSA: a virtual register may be assigned in several places (a value
 * built on two paths of an `if`), liveness is computed by dataflow.  Memory
 * the program owns lives in frame slots, allocated by lower.c; regalloc.c
 * adds spill slots.  `-d ir` prints a function with ir_print(); ir_parse()
 * reads that text back, so passes are tested from text to text
 * (tests/irpass/: IR in, a pass, IR or BPF out).
 *
 * Sections: operands and instructions; functions; builders (ir.c);
 * text form (ir.c, ir_parse.c); passes (opt_*.c, regalloc.c, emit.c).
 */
#ifndef EBPFQ_IR_H
#define EBPFQ_IR_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"

enum ir_op {
#define X(name, text, kind) IR_##name,
#include "ir_ops.h"
#undef X
	IR_NUM_OPS
};

enum ir_kind { IRK_CONST, IRK_UNARY, IRK_BINARY, IRK_LOAD, IRK_STORE, IRK_ADDR, IRK_CALL, IRK_BRANCH };

/* Conditions of IR_BR; the signed ones compare as s64. */
enum ir_cond { IRC_EQ, IRC_NE, IRC_ULT, IRC_ULE, IRC_UGT, IRC_UGE, IRC_SLT, IRC_SLE, IRC_SGT, IRC_SGE, IRC_SET };

/* An operand: nothing, a virtual register, or a 64-bit immediate. */
enum ir_val_kind { IRV_NONE, IRV_REG, IRV_IMM };
struct ir_val {
	enum ir_val_kind kind;
	int reg;
	int64_t imm;
};

/* Where a load or store points: a virtual register, or a frame slot. */
struct ir_addr {
	int base;   /* vreg, or -1 for the frame */
	int slot;   /* frame slot when base < 0 */
	int32_t off;
};

enum { IR_MAX_ARGS = 5 };

/* An instruction is 88 bytes, and a long probe has tens of thousands:
 * the arguments of a call, which only a call has, are in the arena beside
 * it, the small fields share 4 bytes, and the others go from 4-byte to
 * 8-byte alignment without a hole (compile time follows the memory it
 * touches: bench/compiletime.sh). */
struct ir_insn {
	enum ir_op op : 8;
	enum ir_cond cond : 7; /* BR */
	bool is_signed : 1;    /* LOAD: sign-extend */
	uint8_t size;          /* memory access bytes: 1, 2, 4, 8 */
	uint8_t nargs;         /* CALL: how many args */
	eq_loc loc;
	int dst;               /* vreg defined, -1 if none */
	struct ir_addr mem;    /* LOAD, STORE, ATOMIC_ADD, FRAME (slot, off) */
	int target[2];         /* JMP: [0]; BR: [0] when true, [1] when false */
	struct ir_val a, b;
	int64_t imm;           /* CONST value; CALL helper id; MAP/MAPVAL map index */
	struct ir_val *args;   /* CALL: nargs (<= IR_MAX_ARGS) values, in the arena */
};

/* What a FIELDADD's offset is (BPF CO-RE): the member reached from a
 * pointer to the kernel struct `btf_id` (in the compiling kernel's BTF) by
 * the access `path`, "0:5:2": the pointer's element, then the index of each
 * member or array element down to it, as LLVM writes a
 * __builtin_preserve_access_index. */
struct ir_core_access {
	uint32_t btf_id;
	const char *path;
};

struct ir_block {
	int id;
	struct {
		struct ir_insn *items;
		int count, cap;
	} insns;
};

struct ir_slot {
	int32_t offset;  /* from the frame pointer, negative */
	uint32_t size;
	bool spill;      /* made by the register allocator */
};

struct ir_func {
	const char *name;
	struct {
		struct ir_block **items;
		int count, cap;
	} blocks;            /* in layout order; blocks.items[0] is the entry */
	struct {
		struct ir_slot *items;
		int count, cap;
	} slots;
	int nvregs;
	int nblock_ids;      /* ids handed out, placed or not */
	uint32_t frame_size; /* bytes of frame in use by slots now */
	uint32_t frame_max;  /* the most ever in use: the frame the program needs */
	/* Filled by regalloc.c: vreg -> BPF register R0..R9 */
	int8_t *reg_of;
	/* A program's subprograms: functions a helper calls back (len()'s
	 * `return 0`, a for-map loop's body), which FUNCADDR names by index
	 * here.  Only the program's own function has them; a subprogram's
	 * FUNCADDR names one of its program's too.  They are emitted after
	 * the program, each once, in the order they are first named. */
	struct {
		struct ir_func **items;
		int count, cap;
	} subprogs;
	/* the accesses this function's FIELDADDs relocate, by their imm */
	struct {
		struct ir_core_access *items;
		int count, cap;
	} core;
};

/* ---- builders (ir.c) --------------------------------------------------- */
struct ir_func *ir_func_new(struct arena *a, const char *name);
/* A block is created first and placed (given its position in the layout)
 * later, so that lowering lays out code in source order: the then-part of
 * an `if` right after its test, the join after both parts. */
struct ir_block *ir_block_create(struct arena *a, struct ir_func *f);
void ir_block_place(struct arena *a, struct ir_func *f, struct ir_block *b);
struct ir_block *ir_block_new(struct arena *a, struct ir_func *f); /* create + place */
int ir_vreg_new(struct ir_func *f);
/* A frame slot of `size` bytes (rounded up to 8), 8-aligned. */
int ir_slot_new(struct arena *a, struct ir_func *f, uint32_t size, bool spill);
struct ir_insn *ir_emit(struct arena *a, struct ir_block *b, enum ir_op op, eq_loc loc);
struct ir_block *ir_block_by_id(const struct ir_func *f, int id);

static inline struct ir_val ir_reg(int r) { return (struct ir_val){IRV_REG, r, 0}; }
static inline struct ir_val ir_imm(int64_t v) { return (struct ir_val){IRV_IMM, -1, v}; }
static inline struct ir_val ir_none(void) { return (struct ir_val){IRV_NONE, -1, 0}; }

enum ir_kind ir_op_kind(enum ir_op op);
const char *ir_op_name(enum ir_op op);
const char *ir_cond_name(enum ir_cond c);
bool ir_is_terminator(enum ir_op op);
/* The vregs an instruction reads; returns how many (<= IR_MAX_ARGS + 3). */
int ir_uses(const struct ir_insn *in, int *out);

/* ---- text form --------------------------------------------------------- */
/* What -d ir prints: one function, its slots, its blocks in layout order,
 * then each of its subprograms the same way under a `subprog` line. */
void ir_print(FILE *out, const struct ir_func *f);
/* ir_parse.c: reads back exactly what ir_print() writes (plus blank lines,
 * `#` comments and free spacing), keeping block ids, vreg numbers, slots
 * and the frame size as printed, so ir_print(ir_parse(t)) == t.  Every
 * instruction's loc is its line in the text (column 1): the text has no
 * script locations.  Malformed input: prints `NAME:LINE: error: ...` to err
 * and returns NULL; what was allocated stays in the arena.
 * ir_parse() takes a text of exactly one function; ir_parse_all() one or
 * more (a -d ir dump, one per probe), in order, their number in *count. */
struct ir_func *ir_parse(struct arena *a, const char *text, const char *name_for_errors, FILE *err);
struct ir_func **ir_parse_all(struct arena *a, const char *text, const char *name_for_errors,
			      FILE *err, int *count);

/* ---- passes ------------------------------------------------------------ */
/* opt_fold.c: dead code (constants are folded while lowering, lower.c). */
void opt_fold(struct ir_func *f);
/* regalloc.c: assigns f->reg_of; spills to frame slots when it must.
 * Returns 0, or -1 if the frame would exceed frame_limit bytes: 512 for a
 * program, what its caller leaves of those for a subprogram (the kernel
 * counts a callback's stack on top of its caller's).  Its working tables
 * are in `scratch`, which it empties (arena_reset) as it starts and leaves
 * in use: one scratch arena serves all of a compile's functions. */
int regalloc(struct arena *a, struct arena *scratch, struct ir_func *f, uint32_t frame_limit);
/* The program f, then each of its subprograms.  The kernel counts a
 * callback's stack on top of its caller's, 512 bytes for the chain, each
 * function's frame rounded up to 32 (ir_stack_depth).  Returns 0, or -1
 * with the function whose frame did not fit and the bytes it had. */
int regalloc_program(struct arena *a, struct arena *scratch, struct ir_func *f,
		     struct ir_func **failed, uint32_t *limit);
/* The stack a function takes in the kernel's count: its frame rounded up
 * to 32 bytes, and at least 32 (the kernel's check_max_stack_depth()). */
uint32_t ir_stack_depth(const struct ir_func *f);

/* emit.c: BPF instructions from an allocated function. */
struct emit_map_ref {
	uint32_t insn_index, map_index;
	bool value;
	uint32_t value_offset;
};
struct emit_core_ref {
	uint32_t insn_index; /* an ALU64 ADD, MOV, LSH, RSH or ARSH K */
	uint32_t kind;       /* enum bpf_core_relo_kind: which value its imm is */
	struct ir_core_access access;
};
/* Is op one of the FIELD* ops, which carry a CO-RE relocation? */
static inline bool ir_is_core_op(int op)
{
	return op == IR_FIELDADD || op == IR_FIELDSIZE || op == IR_FIELDSHL || op == IR_FIELDSHR ||
	       op == IR_FIELDSAR;
}
struct emit_line {
	uint32_t insn_off;
	int line, col;
};
struct emit_result {
	struct bpf_insn *insns;
	uint32_t ninsns;
	uint32_t *func_starts;   /* first instruction of each subprogram emitted */
	uint32_t nfuncs;
	struct emit_map_ref *refs;
	uint32_t nrefs;
	struct emit_line *lines;
	uint32_t nlines;
	struct emit_core_ref *core;
	uint32_t ncore;
};
/* The program f, then the subprograms it (or one of them) names.  The
 * instructions are allocated in insns_arena, the rest in a: given an
 * arena nothing else allocates in meanwhile (the image's), the
 * instructions grow in place there and are kept, not copied (a long
 * probe's were 2.8 MB of arrays outgrown, then a copy). */
int emit_func(struct arena *a, struct arena *insns_arena, const struct ir_func *f,
	      struct emit_result *out);

#endif
