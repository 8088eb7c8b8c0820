/* memory.c - what the program knows of C types and addresses: sizeof(),
 * offsetof(), kptr() / uptr(), which say which address space a pointer
 * points into, and bswap(), which turns an integer's byte order around. */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <string.h>

#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* sizeof(TYPE) and sizeof(EXPR) (which is not evaluated): a constant. */
static const struct eq_type *check_sizeof(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	const struct eq_type *t = a->kind == AST_TYPE ? sema_type_of_node(s, a) : sema_expr(s, a);
	if (t->kind == TY_NONE)
		return &ty_u64;
	if (!ty_is_number(t) && !ty_in_memory(t) && t->kind != TY_VOID) {
		sema_error(s, a->loc, "sizeof() takes a type or a value, not %s", sema_type_name(s, t));
		return &ty_u64;
	}
	call->ival = ty_size_of(t);
	return &ty_u64;
}

/* offsetof(TYPE, a.b.c): where a member starts, through nested members. */
static const struct eq_type *check_offsetof(struct sema *s, struct ast *call)
{
	struct ast *type = call->list.items[0], *path = call->list.items[1];
	const struct eq_type *t = sema_type_of_node(s, type);
	if (t->kind == TY_NONE)
		return &ty_u64;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path->str);
	uint32_t off = 0;
	for (char *save = NULL, *m = strtok_r(buf, ".", &save); m; m = strtok_r(NULL, ".", &save)) {
		struct ty_field f;
		if (t->kind != TY_RECORD) {
			sema_error(s, path->loc, "offsetof(): %s is not a struct, it has no member '%s'",
				   ty_c_name(s->arena, t), m);
			return &ty_u64;
		}
		if (!ty_find_field(s->arena, t, m, &f)) {
			sema_error(s, path->loc, "offsetof(): %s has no member '%s'", ty_c_name(s->arena, t), m);
			return &ty_u64;
		}
		if (f.bit_size) {
			sema_error(s, path->loc, "offsetof(): '%s' is a bit-field, which has no byte offset", m);
			return &ty_u64;
		}
		off += f.offset;
		t = f.type;
	}
	call->ival = off;
	return &ty_u64;
}

static struct ir_val lower_constant(struct lower *L, const struct ast *call)
{
	return ir_imm(call->ival);
}

/* kptr(p), uptr(p): the same value, pointing into kernel / user memory. */
static const struct eq_type *check_space(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	const struct eq_type *t = sema_expr(s, a);
	if (t->kind == TY_NONE)
		return &ty_none;
	if (!ty_is_number(t)) {
		sema_error(s, a->loc, "%s() takes an address, not %s", call->name, sema_type_name(s, t));
		return &ty_none;
	}
	struct eq_type with = *t;
	with.space = call->name[0] == 'k' ? SPACE_KERNEL : SPACE_USER;
	return ty_new(s->arena, with);
}

static struct ir_val lower_same(struct lower *L, const struct ast *call)
{
	return lower_int(L, call->list.items[0]);
}

/* bswap(x): x's bytes in the other order, over x's own width (a u16 swaps
 * two bytes); the result is unsigned, of that width. */
static const struct eq_type *check_bswap(struct sema *s, struct ast *call)
{
	if (!sema_int_arg(s, call, 0))
		return &ty_u64;
	const struct eq_type *t = call->list.items[0]->type;
	return ty_int(s->arena, t->kind == TY_INT ? t->size : 8, false);
}

static struct ir_val lower_bswap(struct lower *L, const struct ast *call)
{
	uint32_t size = call->type->size;
	struct ir_val v = lower_int(L, call->list.items[0]);
	if (size == 1)
		return lower_arith(L, IR_AND, v, ir_imm(0xff), call->loc);
	if (v.kind == IRV_IMM) {
		uint64_t x = (uint64_t)v.imm, swapped = 0;
		for (uint32_t i = 0; i < size; i++)
			swapped |= ((x >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
		return ir_imm((int64_t)swapped);
	}
	struct ir_insn *in = lower_emit(L, size == 2 ? IR_BSWAP16 : size == 4 ? IR_BSWAP32 : IR_BSWAP64,
					call->loc);
	in->dst = ir_vreg_new(L->f);
	in->a = v;
	return ir_reg(in->dst);
}

const struct builtin builtins_memory[] = {
	BUILTIN_FUNCTION("sizeof", 1, 1, check_sizeof, .lower_int = lower_constant),
	BUILTIN_FUNCTION("offsetof", 2, 2, check_offsetof, .lower_int = lower_constant),
	BUILTIN_FUNCTION("kptr", 1, 1, check_space, .lower_int = lower_same),
	BUILTIN_FUNCTION("uptr", 1, 1, check_space, .lower_int = lower_same),
	BUILTIN_FUNCTION("bswap", 1, 1, check_bswap, .lower_int = lower_bswap),
	{0},
};
