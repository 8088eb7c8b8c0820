/* emit.c - BPF instructions from an allocated IR function.
 *
 * Blocks are laid out in the order lowering placed them; a jump to the next
 * block is left out, a conditional branch whose true target is next is
 * inverted, and a jump to a block holding only a jump goes straight to the
 * final target.  Jumps are patched once every block's start is known.
 * Each instruction remembers the script position of the IR instruction it
 * came from, for the kernel's line info.
 *
 * A program's subprograms (helpers' callbacks) follow it, each emitted as
 * a function of its own the first time a FUNCADDR names it (the kernel
 * wants every subprogram after the main one, and a line of line info at
 * each one's start).
 */
#include "ir.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct fixup {
	int insn, block; /* jump at insn goes to the start of block */
};

/* How a block ends, what final_target and mark_reachable follow: read
 * from every block in one walk in layout order, which is the order of
 * their instructions in memory.  Reading each block's last instruction
 * as the jumps lead there went back and forth across a long probe's
 * megabytes of IR, a cache miss a block (most of emit's time in a
 * profile of 8,000 statements). */
struct block_exit {
	int target[2];    /* the last instruction's */
	enum ir_op op;    /* the last instruction's */
	bool placed;      /* a block of the function, with instructions */
	bool only_jumps;  /* a JMP and nothing else */
};

struct emitter {
	struct arena *arena;
	struct arena *insns_arena; /* the instructions' alone: see emit_func */
	const struct ir_func *prog; /* owns the subprograms */
	const struct ir_func *f;    /* the function being emitted */
	struct {
		struct bpf_insn *items;
		int count, cap;
	} insns;
	struct {
		struct emit_map_ref *items;
		int count, cap;
	} refs;
	struct {
		struct emit_line *items;
		int count, cap;
	} lines;
	struct {
		struct emit_core_ref *items;
		int count, cap;
	} core;
	struct {
		struct fixup *items;
		int count, cap;
	} fixups;
	struct {
		struct fixup *items; /* here `block` is the subprogram's index */
		int count, cap;
	} func_fixups;
	int *block_start; /* by block id, of the function being emitted */
	struct block_exit *exit_of; /* by block id, of the function being emitted */
	eq_loc loc;       /* of the IR instruction being emitted */
	bool new_function; /* the next instruction starts a function: it gets a line */
};

enum { FP = BPF_REG_10 };

static void put(struct emitter *e, struct bpf_insn in)
{
	struct emit_line *last = e->lines.count ? &e->lines.items[e->lines.count - 1] : NULL;
	if (e->loc.line && (e->new_function || !last || last->line != e->loc.line || last->col != e->loc.col)) {
		struct emit_line l = {(uint32_t)e->insns.count, e->loc.line, e->loc.col};
		ARENA_PUSH(e->arena, e->lines, l);
	}
	e->new_function = false;
	ARENA_PUSH(e->insns_arena, e->insns, in);
}

static struct bpf_insn insn(uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = (uint8_t)dst, .src_reg = (uint8_t)src,
				 .off = off, .imm = imm};
}

static void mov_reg(struct emitter *e, int dst, int src)
{
	if (dst != src)
		put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0));
}

static void mov_imm(struct emitter *e, int dst, int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX) {
		put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)v));
		return;
	}
	put(e, insn(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v));
	put(e, insn(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)v >> 32)));
}

static void mov_val(struct emitter *e, int dst, struct ir_val v)
{
	if (v.kind == IRV_IMM)
		mov_imm(e, dst, v.imm);
	else
		mov_reg(e, dst, e->f->reg_of[v.reg]);
}

static int reg(const struct emitter *e, int vreg)
{
	return e->f->reg_of[vreg];
}

static const uint8_t size_codes[9] = {[1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW};

/* Base register and offset of a memory operand. */
static void address(const struct emitter *e, struct ir_addr m, int *base, int16_t *off)
{
	if (m.base >= 0) {
		*base = reg(e, m.base);
		*off = (int16_t)m.off;
	} else {
		*base = FP;
		*off = (int16_t)(e->f->slots.items[m.slot].offset + m.off);
	}
}

static const uint8_t alu_codes[IR_NUM_OPS] = {
	[IR_ADD] = BPF_ADD, [IR_SUB] = BPF_SUB, [IR_MUL] = BPF_MUL, [IR_UDIV] = BPF_DIV,
	[IR_SDIV] = BPF_DIV, [IR_UMOD] = BPF_MOD, [IR_SMOD] = BPF_MOD, [IR_AND] = BPF_AND,
	[IR_OR] = BPF_OR, [IR_XOR] = BPF_XOR, [IR_SHL] = BPF_LSH, [IR_SHR] = BPF_RSH,
	[IR_SAR] = BPF_ARSH,
};

/* dst op= src, signed division and modulo being the off=1 forms (cpu v4). */
static void alu(struct emitter *e, enum ir_op op, int dst, struct ir_val src)
{
	int16_t off = op == IR_SDIV || op == IR_SMOD;
	assert(src.kind != IRV_IMM || (src.imm >= INT32_MIN && src.imm <= INT32_MAX)); /* lower_fit_imm */
	if (src.kind == IRV_IMM)
		put(e, insn(BPF_ALU64 | alu_codes[op] | BPF_K, dst, 0, off, (int32_t)src.imm));
	else
		put(e, insn(BPF_ALU64 | alu_codes[op] | BPF_X, dst, reg(e, src.reg), off, 0));
}

static void emit_binary(struct emitter *e, const struct ir_insn *in)
{
	int d = reg(e, in->dst), a = reg(e, in->a.reg);
	bool commutes = in->op == IR_ADD || in->op == IR_MUL || in->op == IR_AND ||
			in->op == IR_OR || in->op == IR_XOR;
	if (d != a && in->b.kind == IRV_REG && d == reg(e, in->b.reg) && commutes) {
		alu(e, in->op, d, in->a); /* d = b op a */
		return;
	}
	mov_reg(e, d, a);
	alu(e, in->op, d, in->b);
}

/* Move call arguments into R1..R5 as one parallel move: a move whose
 * destination another move still reads waits; a cycle is broken by
 * swapping two registers with three xors (no free register is needed). */
static void move_args(struct emitter *e, const struct ir_insn *in)
{
	struct { int src; bool pending; } mv[IR_MAX_ARGS];
	int left = 0;
	for (int i = 0; i < in->nargs; i++) {
		mv[i].src = in->args[i].kind == IRV_REG ? reg(e, in->args[i].reg) : -1;
		mv[i].pending = mv[i].src != i + 1;
		left += mv[i].pending;
	}
	while (left > 0) {
		bool progress = false;
		for (int i = 0; i < in->nargs; i++) {
			if (!mv[i].pending)
				continue;
			bool read = false;
			for (int j = 0; j < in->nargs; j++)
				read |= j != i && mv[j].pending && mv[j].src == i + 1;
			if (read)
				continue;
			if (mv[i].src < 0)
				mov_imm(e, i + 1, in->args[i].imm);
			else
				mov_reg(e, i + 1, mv[i].src);
			mv[i].pending = false;
			left--;
			progress = true;
		}
		if (progress)
			continue;
		for (int i = 0; i < in->nargs; i++) { /* a cycle: swap one pair */
			if (!mv[i].pending)
				continue;
			int s = mv[i].src, d = i + 1;
			put(e, insn(BPF_ALU64 | BPF_XOR | BPF_X, d, s, 0, 0));
			put(e, insn(BPF_ALU64 | BPF_XOR | BPF_X, s, d, 0, 0));
			put(e, insn(BPF_ALU64 | BPF_XOR | BPF_X, d, s, 0, 0));
			mv[i].pending = false;
			left--;
			for (int j = 0; j < in->nargs; j++)
				if (mv[j].pending && mv[j].src == d)
					mv[j].src = s;
			break;
		}
	}
}

static void emit_map_load(struct emitter *e, const struct ir_insn *in)
{
	struct emit_map_ref ref = {(uint32_t)e->insns.count, (uint32_t)in->imm, in->op == IR_MAPVAL,
				   (uint32_t)in->mem.off};
	ARENA_PUSH(e->arena, e->refs, ref);
	int src = in->op == IR_MAPVAL ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
	put(e, insn(BPF_LD | BPF_DW | BPF_IMM, reg(e, in->dst), src, 0, 0));
	put(e, insn(0, 0, 0, 0, in->op == IR_MAPVAL ? in->mem.off : 0));
}

static void emit_memory(struct emitter *e, const struct ir_insn *in)
{
	int base;
	int16_t off;
	address(e, in->mem, &base, &off);
	uint8_t sz = size_codes[in->size];
	if (in->op == IR_LOAD) {
		uint8_t mode = in->is_signed && in->size < 8 ? 0x80 /* BPF_MEMSX */ : BPF_MEM;
		put(e, insn(BPF_LDX | mode | sz, reg(e, in->dst), base, off, 0));
	} else if (in->op == IR_ATOMIC_ADD) {
		put(e, insn(BPF_STX | BPF_ATOMIC | sz, base, reg(e, in->a.reg), off, BPF_ADD));
	} else if (in->a.kind == IRV_IMM) {
		put(e, insn(BPF_ST | BPF_MEM | sz, base, 0, off, (int32_t)in->a.imm));
	} else {
		put(e, insn(BPF_STX | BPF_MEM | sz, base, reg(e, in->a.reg), off, 0));
	}
}

/* ---- control flow ------------------------------------------------------------- */

static const uint8_t jmp_codes[] = {
	[IRC_EQ] = BPF_JEQ, [IRC_NE] = BPF_JNE, [IRC_ULT] = BPF_JLT, [IRC_ULE] = BPF_JLE,
	[IRC_UGT] = BPF_JGT, [IRC_UGE] = BPF_JGE, [IRC_SLT] = BPF_JSLT, [IRC_SLE] = BPF_JSLE,
	[IRC_SGT] = BPF_JSGT, [IRC_SGE] = BPF_JSGE, [IRC_SET] = BPF_JSET,
};
static const enum ir_cond inverse[] = {
	[IRC_EQ] = IRC_NE, [IRC_NE] = IRC_EQ, [IRC_ULT] = IRC_UGE, [IRC_ULE] = IRC_UGT,
	[IRC_UGT] = IRC_ULE, [IRC_UGE] = IRC_ULT, [IRC_SLT] = IRC_SGE, [IRC_SLE] = IRC_SGT,
	[IRC_SGT] = IRC_SLE, [IRC_SGE] = IRC_SLT, [IRC_SET] = IRC_SET,
};

/* Where a jump to block `id` really lands, past blocks that only jump. */
static int final_target(const struct emitter *e, int id)
{
	for (int steps = 0; steps < e->f->blocks.count; steps++) {
		const struct block_exit *x = &e->exit_of[id];
		if (!x->only_jumps)
			break;
		id = x->target[0];
	}
	return id;
}

static void jump_to(struct emitter *e, uint8_t code, int a, struct ir_val b, int block)
{
	struct fixup fix = {e->insns.count, block};
	ARENA_PUSH(e->arena, e->fixups, fix);
	if (code == (BPF_JMP | BPF_JA))
		put(e, insn(code, 0, 0, 0, 0));
	else if (b.kind == IRV_IMM) {
		assert(b.imm >= INT32_MIN && b.imm <= INT32_MAX); /* lower_fit_imm */
		put(e, insn(code | BPF_K, a, 0, 0, (int32_t)b.imm));
	}
	else
		put(e, insn(code | BPF_X, a, reg(e, b.reg), 0, 0));
}

static void emit_branch(struct emitter *e, const struct ir_insn *in, int next)
{
	if (in->op == IR_RET) {
		mov_val(e, BPF_REG_0, in->a);
		put(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		return;
	}
	int t = final_target(e, in->target[0]);
	if (in->op == IR_JMP) {
		if (t != next)
			jump_to(e, BPF_JMP | BPF_JA, 0, ir_none(), t);
		return;
	}
	int fl = final_target(e, in->target[1]);
	int a = reg(e, in->a.reg);
	enum ir_cond c = in->cond;
	if (t == next && c != IRC_SET) { /* fall into the true block */
		jump_to(e, BPF_JMP | jmp_codes[inverse[c]], a, in->b, fl);
		return;
	}
	jump_to(e, BPF_JMP | jmp_codes[c], a, in->b, t);
	if (fl != next)
		jump_to(e, BPF_JMP | BPF_JA, 0, ir_none(), fl);
}

/* A FIELD* op: one ALU64 K instruction whose immediate the loader
 * relocates (BPF CO-RE), and its relocation. */
static void emit_core_op(struct emitter *e, const struct ir_insn *in)
{
	static const struct { uint8_t alu; uint32_t kind; } as[IR_NUM_OPS] = {
		[IR_FIELDADD] = {BPF_ADD, BPF_CORE_FIELD_BYTE_OFFSET},
		[IR_FIELDSIZE] = {BPF_MOV, BPF_CORE_FIELD_BYTE_SIZE},
		[IR_FIELDSHL] = {BPF_LSH, BPF_CORE_FIELD_LSHIFT_U64},
		[IR_FIELDSHR] = {BPF_RSH, BPF_CORE_FIELD_RSHIFT_U64},
		[IR_FIELDSAR] = {BPF_ARSH, BPF_CORE_FIELD_RSHIFT_U64},
	};
	int d = reg(e, in->dst);
	int64_t value = in->op == IR_FIELDSIZE ? in->a.imm : in->b.imm;
	if (in->op != IR_FIELDSIZE)
		mov_reg(e, d, reg(e, in->a.reg));
	struct emit_core_ref ref = {(uint32_t)e->insns.count, as[in->op].kind, e->f->core.items[in->imm]};
	ARENA_PUSH(e->arena, e->core, ref);
	put(e, insn(BPF_ALU64 | as[in->op].alu | BPF_K, d, 0, 0, (int32_t)value));
}

static void emit_insn(struct emitter *e, const struct ir_insn *in, int next)
{
	e->loc = in->loc;
	switch (in->op) {
	case IR_CONST:
		mov_imm(e, reg(e, in->dst), in->imm);
		break;
	case IR_CTX:
		mov_reg(e, reg(e, in->dst), BPF_REG_1);
		break;
	case IR_ARG:
		mov_reg(e, reg(e, in->dst), BPF_REG_1 + (int)in->imm);
		break;
	case IR_MOV:
		mov_val(e, reg(e, in->dst), in->a);
		break;
	case IR_NEG:
		mov_reg(e, reg(e, in->dst), reg(e, in->a.reg));
		put(e, insn(BPF_ALU64 | BPF_NEG, reg(e, in->dst), 0, 0, 0));
		break;
	case IR_BSWAP16:
	case IR_BSWAP32:
	case IR_BSWAP64: /* the conversion to the other byte order is the swap */
		mov_reg(e, reg(e, in->dst), reg(e, in->a.reg));
		put(e, insn(BPF_ALU | BPF_END | (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? BPF_TO_BE : BPF_TO_LE),
			    reg(e, in->dst), 0, 0,
			    in->op == IR_BSWAP16 ? 16 : in->op == IR_BSWAP32 ? 32 : 64));
		break;
	case IR_ZEXT32: /* a 32-bit move clears the upper half */
		put(e, insn(BPF_ALU | BPF_MOV | BPF_X, reg(e, in->dst), reg(e, in->a.reg), 0, 0));
		break;
	case IR_FRAME:
		mov_reg(e, reg(e, in->dst), FP);
		put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, reg(e, in->dst), 0, 0,
			    e->f->slots.items[in->mem.slot].offset + in->mem.off));
		break;
	case IR_MAP:
	case IR_MAPVAL:
		emit_map_load(e, in);
		break;
	case IR_FUNCADDR: { /* its offset is known once the subprograms are placed */
		struct fixup f = {e->insns.count, (int)in->imm};
		ARENA_PUSH(e->arena, e->func_fixups, f);
		put(e, insn(BPF_LD | BPF_DW | BPF_IMM, reg(e, in->dst), BPF_PSEUDO_FUNC, 0, 0));
		put(e, insn(0, 0, 0, 0, 0));
		break;
	}
	case IR_LOAD:
	case IR_STORE:
	case IR_ATOMIC_ADD:
		emit_memory(e, in);
		break;
	case IR_FIELDADD: /* an instruction the loader relocates, even of 0 */
	case IR_FIELDSIZE:
	case IR_FIELDSHL:
	case IR_FIELDSHR:
	case IR_FIELDSAR:
		emit_core_op(e, in);
		break;
	case IR_CALL:
		move_args(e, in);
		put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)in->imm));
		if (in->dst >= 0 && reg(e, in->dst) >= 0)
			mov_reg(e, reg(e, in->dst), BPF_REG_0);
		break;
	case IR_JMP:
	case IR_BR:
	case IR_RET:
		emit_branch(e, in, next);
		break;
	default:
		emit_binary(e, in);
	}
}

/* Blocks worth emitting: reachable from the entry through threaded jumps,
 * and not mere jumps themselves.  Depth first with a stack of its own: a
 * long probe's chain of blocks is as deep as the probe is long. */
static void mark_reachable(const struct emitter *e, int entry, bool *seen)
{
	int *stack = ARENA_ARRAY(e->arena, int, 2 * e->f->blocks.count + 1), top = 0;
	stack[top++] = entry;
	while (top > 0) {
		int id = final_target(e, stack[--top]);
		if (seen[id])
			continue;
		seen[id] = true;
		const struct block_exit *x = &e->exit_of[id];
		if (!x->placed)
			continue;
		if (x->op == IR_BR)
			stack[top++] = x->target[1];
		if (x->op == IR_JMP || x->op == IR_BR)
			stack[top++] = x->target[0];
	}
}

/* One function's blocks, appended to what is emitted so far; its jumps
 * are patched here, its FUNCADDRs once every subprogram is placed. */
static void emit_body(struct emitter *e, const struct ir_func *f)
{
	struct arena *a = e->arena;
	bool *live = arena_alloc(a, (size_t)f->nblock_ids + 1);
	e->f = f;
	e->block_start = arena_alloc(a, sizeof(int) * ((size_t)f->nblock_ids + 1));
	e->exit_of = ARENA_ARRAY(a, struct block_exit, f->nblock_ids + 1); /* zeroed: not placed */
	for (int i = 0; i < f->blocks.count; i++) {
		const struct ir_block *b = f->blocks.items[i];
		if (!b->insns.count)
			continue;
		const struct ir_insn *t = &b->insns.items[b->insns.count - 1];
		e->exit_of[b->id] = (struct block_exit){{t->target[0], t->target[1]}, t->op, true,
							b->insns.count == 1 && t->op == IR_JMP};
	}
	e->fixups.count = 0;
	e->new_function = true;
	mark_reachable(e, f->blocks.items[0]->id, live);
	live[f->blocks.items[0]->id] = true;
	/* the live block after each, found backwards in one walk */
	int *next = ARENA_ARRAY(a, int, f->blocks.count + 1);
	next[f->blocks.count] = -1;
	for (int i = f->blocks.count - 1; i >= 0; i--)
		next[i] = i + 1 < f->blocks.count && live[f->blocks.items[i + 1]->id]
			  ? f->blocks.items[i + 1]->id : next[i + 1];
	for (int i = 0; i < f->blocks.count; i++) {
		const struct ir_block *b = f->blocks.items[i];
		if (!live[b->id])
			continue;
		e->block_start[b->id] = e->insns.count;
		for (int j = 0; j < b->insns.count; j++)
			emit_insn(e, &b->insns.items[j], next[i]);
	}
	for (int i = 0; i < e->fixups.count; i++) {
		int at = e->fixups.items[i].insn;
		e->insns.items[at].off = (int16_t)(e->block_start[e->fixups.items[i].block] - at - 1);
	}
}

int emit_func(struct arena *a, struct arena *insns_arena, const struct ir_func *f,
	      struct emit_result *out)
{
	struct emitter e = {.arena = a, .insns_arena = insns_arena, .prog = f};
	emit_body(&e, f);
	/* the subprograms in the order they are first named; emitting one may
	 * name another, which this loop then reaches */
	int nsub = f->subprogs.count;
	int *start = ARENA_ARRAY(a, int, nsub + 1);
	uint32_t *func_starts = ARENA_ARRAY(a, uint32_t, nsub + 1);
	uint32_t nfuncs = 0;
	for (int k = 0; k < nsub; k++)
		start[k] = -1;
	for (int i = 0; i < e.func_fixups.count; i++) {
		int k = e.func_fixups.items[i].block;
		if (start[k] < 0) {
			start[k] = e.insns.count;
			func_starts[nfuncs++] = (uint32_t)start[k];
			emit_body(&e, f->subprogs.items[k]);
		}
		int at = e.func_fixups.items[i].insn;
		e.insns.items[at].imm = start[k] - at - 1;
	}
	*out = (struct emit_result){
		.insns = e.insns.items, .ninsns = (uint32_t)e.insns.count,
		.func_starts = func_starts, .nfuncs = nfuncs,
		.refs = e.refs.items, .nrefs = (uint32_t)e.refs.count,
		.lines = e.lines.items, .nlines = (uint32_t)e.lines.count,
		.core = e.core.items, .ncore = (uint32_t)e.core.count,
	};
	return 0;
}
