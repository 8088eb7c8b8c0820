/* strings.c - strings read from memory: str(). */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <string.h>

#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* str(pointer[, max]): a string read from kernel or user memory; str(a) of
 * a char array: its characters, up to the first NUL or its length; str(s)
 * of a string (a tracepoint's __data_loc field): the string, as bpftrace
 * scripts write it. */
static const struct eq_type *check_str(struct sema *s, struct ast *call)
{
	struct ast *arg = call->list.items[0];
	if (arg->kind == AST_POSITIONAL && !arg->name) { /* str($N): the argument's text */
		const char *text = sema_param_text(s, arg->ival);
		if (strlen(text) + 1 > s->info->strlen)
			sema_error(s, arg->loc, "this argument is %zu bytes, longer than the string size %u "
				   "(--strlen)", strlen(text), s->info->strlen);
		*call = (struct ast){.kind = AST_STR, .loc = call->loc, .str = arena_strdup(s->arena, text),
				     .str_len = (int)strlen(text)};
		return sema_expr(s, call);
	}
	const struct eq_type *t = sema_expr(s, arg);
	if (!ty_is_number(t) && !ty_is_chars(t) && t->kind != TY_STR && t->kind != TY_NONE)
		sema_error(s, call->list.items[0]->loc, "str() reads from an address or a char array, "
			   "not from %s", sema_type_name(s, t));
	uint32_t size = s->info->strlen;
	if (ty_is_chars(t) && t->size + 1 < size)
		size = t->size + 1;
	if (t->kind == TY_STR && t->size < size)
		size = t->size;
	if (call->list.count == 2) {
		struct ast *n = call->list.items[1];
		if (n->kind != AST_INT || n->ival < 1) {
			sema_error(s, n->loc, "str()'s length must be a positive number");
		} else if ((uint64_t)n->ival + 1 < size) {
			size = (uint32_t)n->ival + 1; /* room for the NUL */
		}
	}
	return ty_str(s->arena, size);
}

static void lower_str_call(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	const struct ast *arg = e->list.items[0];
	if (ty_is_chars(arg->type) || arg->type->kind == TY_STR) {
		uint32_t n = e->type->size < size ? e->type->size : size;
		lower_str_into(L, arg, slot, off, n);
		uint32_t used = (n + 7) & ~7u;
		lower_zero(L, slot, off + (int32_t)used, size > used ? size - used : 0, e->loc);
		return;
	}
	/* a pointer's address space says which helper; a plain number gets
	 * the compat helper, which picks user or kernel memory by address */
	uint32_t n = e->type->size < size ? e->type->size : size;
	enum ty_space space = arg->type->space;
	int helper = space == SPACE_USER ? BPF_FUNC_probe_read_user_str
		   : space == SPACE_KERNEL && arg->type->kind == TY_PTR ? BPF_FUNC_probe_read_kernel_str
		   : BPF_FUNC_probe_read_str;
	lower_read_str(L, helper, lower_int(L, arg), slot, off, n, e->loc);
	uint32_t used = (n + 7) & ~7u;
	lower_zero(L, slot, off + (int32_t)used, size > used ? size - used : 0, e->loc);
}

const struct builtin builtins_strings[] = {
	BUILTIN_FUNCTION("str", 1, 2, check_str, .lower_into = lower_str_call),
	{0},
};
