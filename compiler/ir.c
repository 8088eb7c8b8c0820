/* ir.c - IR builders and the -d ir text form; see ir.h.
 *
 * The text form, one instruction per line:
 *     func probe0 frame 24
 *     slot s0 -16 16
 *     b0:
 *       v0 = call 14()
 *       v1 = shr v0, 32
 *       store.8 [s0+8], v1
 *       br v1 == 0, b1, b2
 * and after a program its subprograms, `subprog NAME frame BYTES` then
 * slots and blocks the same way (funcaddr N names the Nth).
 * ir_parse.c reads exactly this back (tests/irpass.sh checks that on every
 * tests/ir script), so what the printer leaves out the reader cannot know:
 * locations (they become the text's line numbers), and nothing else the
 * passes need.  A field the passes start to need goes into this text too.
 */
#include "ir.h"

#include <string.h>

struct ir_func *ir_func_new(struct arena *a, const char *name)
{
	struct ir_func *f = ARENA_NEW(a, struct ir_func);
	f->name = name;
	return f;
}

struct ir_block *ir_block_create(struct arena *a, struct ir_func *f)
{
	struct ir_block *b = ARENA_NEW(a, struct ir_block);
	b->id = f->nblock_ids++;
	return b;
}

void ir_block_place(struct arena *a, struct ir_func *f, struct ir_block *b)
{
	ARENA_PUSH(a, f->blocks, b);
}

struct ir_block *ir_block_new(struct arena *a, struct ir_func *f)
{
	struct ir_block *b = ir_block_create(a, f);
	ir_block_place(a, f, b);
	return b;
}

struct ir_block *ir_block_by_id(const struct ir_func *f, int id)
{
	for (int i = 0; i < f->blocks.count; i++)
		if (f->blocks.items[i]->id == id)
			return f->blocks.items[i];
	return NULL;
}

int ir_vreg_new(struct ir_func *f)
{
	return f->nvregs++;
}

int ir_slot_new(struct arena *a, struct ir_func *f, uint32_t size, bool spill)
{
	size = (size + 7) & ~7u;
	f->frame_size += size;
	if (f->frame_size > f->frame_max)
		f->frame_max = f->frame_size;
	struct ir_slot s = {.offset = -(int32_t)f->frame_size, .size = size, .spill = spill};
	ARENA_PUSH(a, f->slots, s);
	return f->slots.count - 1;
}

struct ir_insn *ir_emit(struct arena *a, struct ir_block *b, enum ir_op op, eq_loc loc)
{
	struct ir_insn in = {.op = op, .loc = loc, .dst = -1, .mem = {.base = -1, .slot = -1}};
	/* Room for 2 to start, not ARENA_PUSH's 8: a long probe's blocks
	 * hold 1 to 7 instructions.  A block filled without other allocations
	 * between grows in place (arena_grow), and gives back the room it did
	 * not fill when it ends (arena_trim): then the next block starts right
	 * after it, and the instructions lie in the arena one after the
	 * other, as the passes read them.  Lowering gives instructions an
	 * arena of their own for that (lower_env.insn_arena): a third of a
	 * long probe's IR was room left behind by blocks that grew. */
	if (!b->insns.cap) {
		b->insns.cap = 2;
		b->insns.items = ARENA_ARRAY(a, struct ir_insn, 2);
	}
	ARENA_PUSH(a, b->insns, in);
	if (ir_is_terminator(op))
		arena_trim(a, b->insns.items, &b->insns.cap, b->insns.count, sizeof(*b->insns.items));
	return &b->insns.items[b->insns.count - 1];
}

static const enum ir_kind op_kinds[] = {
#define X(name, text, kind) kind,
#include "ir_ops.h"
#undef X
};

static const char *const op_names[] = {
#define X(name, text, kind) text,
#include "ir_ops.h"
#undef X
};

static const char *const cond_names[] = {"==", "!=", "<", "<=", ">", ">=", "s<", "s<=", "s>", "s>=", "&"};

enum ir_kind ir_op_kind(enum ir_op op) { return op_kinds[op]; }
const char *ir_op_name(enum ir_op op) { return op_names[op]; }
const char *ir_cond_name(enum ir_cond c) { return cond_names[c]; }
bool ir_is_terminator(enum ir_op op) { return op == IR_JMP || op == IR_BR || op == IR_RET; }

int ir_uses(const struct ir_insn *in, int *out)
{
	int n = 0;
	if (in->a.kind == IRV_REG)
		out[n++] = in->a.reg;
	if (in->b.kind == IRV_REG)
		out[n++] = in->b.reg;
	if (in->mem.base >= 0 && (in->op == IR_LOAD || in->op == IR_STORE || in->op == IR_ATOMIC_ADD))
		out[n++] = in->mem.base;
	for (int i = 0; i < in->nargs; i++)
		if (in->args[i].kind == IRV_REG)
			out[n++] = in->args[i].reg;
	return n;
}

/* ---- printing -------------------------------------------------------------- */

static void print_val(FILE *out, struct ir_val v)
{
	if (v.kind == IRV_REG)
		fprintf(out, "v%d", v.reg);
	else if (v.kind == IRV_IMM)
		fprintf(out, "%lld", (long long)v.imm);
	else
		fputs("_", out);
}

static void print_addr(FILE *out, struct ir_addr m)
{
	if (m.base >= 0)
		fprintf(out, "[v%d%+d]", m.base, m.off);
	else
		fprintf(out, "[s%d%+d]", m.slot, m.off);
}

/* A FIELD* op's relocation: ", btf ID PATH" */
static void print_core_access(FILE *out, const struct ir_func *f, const struct ir_insn *in)
{
	const struct ir_core_access *c = &f->core.items[in->imm];
	fprintf(out, ", btf %u %s", c->btf_id, c->path);
}

static void print_insn(FILE *out, const struct ir_func *f, const struct ir_insn *in)
{
	fputs("  ", out);
	if (in->dst >= 0)
		fprintf(out, "v%d = ", in->dst);
	const char *name = op_names[in->op];
	switch (op_kinds[in->op]) {
	case IRK_CONST:
		if (in->op == IR_CONST || in->op == IR_ARG)
			fprintf(out, "%s %lld", name, (long long)in->imm);
		else
			fputs(name, out);
		break;
	case IRK_UNARY:
		fprintf(out, "%s ", name);
		print_val(out, in->a);
		if (in->op == IR_FIELDSIZE)
			print_core_access(out, f, in);
		break;
	case IRK_BINARY:
		fprintf(out, "%s ", name);
		print_val(out, in->a);
		fputs(", ", out);
		print_val(out, in->b);
		if (ir_is_core_op(in->op))
			print_core_access(out, f, in);
		break;
	case IRK_LOAD:
		fprintf(out, "%s.%d%s ", name, in->size, in->is_signed ? "s" : "");
		print_addr(out, in->mem);
		break;
	case IRK_STORE:
		fprintf(out, "%s.%d ", name, in->size);
		print_addr(out, in->mem);
		fputs(", ", out);
		print_val(out, in->a);
		break;
	case IRK_ADDR:
		if (in->op == IR_FRAME)
			fprintf(out, "%s s%d%+d", name, in->mem.slot, in->mem.off);
		else if (in->op == IR_MAP || in->op == IR_FUNCADDR)
			fprintf(out, "%s %lld", name, (long long)in->imm);
		else
			fprintf(out, "%s %lld%+d", name, (long long)in->imm, in->mem.off);
		break;
	case IRK_CALL:
		fprintf(out, "%s %lld(", name, (long long)in->imm);
		for (int i = 0; i < in->nargs; i++) {
			if (i)
				fputs(", ", out);
			print_val(out, in->args[i]);
		}
		fputs(")", out);
		break;
	case IRK_BRANCH:
		fprintf(out, "%s ", name);
		if (in->op == IR_JMP) {
			fprintf(out, "b%d", in->target[0]);
		} else if (in->op == IR_BR) {
			print_val(out, in->a);
			fprintf(out, " %s ", cond_names[in->cond]);
			print_val(out, in->b);
			fprintf(out, ", b%d, b%d", in->target[0], in->target[1]);
		} else {
			print_val(out, in->a);
		}
		break;
	}
	fputc('\n', out);
}

static void print_func(FILE *out, const struct ir_func *f, const char *keyword)
{
	fprintf(out, "%s %s frame %u\n", keyword, f->name ? f->name : "f", f->frame_size);
	for (int i = 0; i < f->slots.count; i++)
		fprintf(out, "slot s%d %d %u%s\n", i, f->slots.items[i].offset,
			f->slots.items[i].size, f->slots.items[i].spill ? " spill" : "");
	for (int i = 0; i < f->blocks.count; i++) {
		const struct ir_block *b = f->blocks.items[i];
		fprintf(out, "b%d:\n", b->id);
		for (int j = 0; j < b->insns.count; j++)
			print_insn(out, f, &b->insns.items[j]);
	}
}

void ir_print(FILE *out, const struct ir_func *f)
{
	print_func(out, f, "func");
	for (int i = 0; i < f->subprogs.count; i++)
		print_func(out, f->subprogs.items[i], "subprog");
}

uint32_t ir_stack_depth(const struct ir_func *f)
{
	uint32_t bytes = f->frame_max > f->frame_size ? f->frame_max : f->frame_size;
	return ((bytes ? bytes : 1) + 31) & ~31u;
}
