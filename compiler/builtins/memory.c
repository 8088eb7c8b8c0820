/* memory.c - what the program knows of C types and addresses: sizeof(),
 * offsetof(), and kptr() / uptr(), which say which address space a pointer
 * points into. */
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

const struct builtin builtins_memory[] = {
	BUILTIN_FUNCTION("sizeof", 1, 1, check_sizeof, .lower_int = lower_constant),
	BUILTIN_FUNCTION("offsetof", 2, 2, check_offsetof, .lower_int = lower_constant),
	BUILTIN_FUNCTION("kptr", 1, 1, check_space, .lower_int = lower_same),
	BUILTIN_FUNCTION("uptr", 1, 1, check_space, .lower_int = lower_same),
	{0},
};
