/* strings.c - strings: str() reads one from memory; strncmp() and
 * strcontains() compare and search; join() prints an array of them. */
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

/* ---- comparing and searching -------------------------------------------------- */

static bool is_string(const struct eq_type *t)
{
	return t->kind == TY_STR || ty_is_chars(t) || t->kind == TY_NONE;
}

/* Arguments 0 and 1 must be strings (a char array is one). */
static bool check_two_strings(struct sema *s, struct ast *call)
{
	bool ok = true;
	for (int i = 0; i < 2; i++) {
		struct ast *a = call->list.items[i];
		if (!is_string(sema_expr(s, a))) {
			sema_error(s, a->loc, "%s() compares strings, but argument %d is %s", call->name,
				   i + 1, sema_type_name(s, a->type));
			ok = false;
		}
	}
	return ok;
}

/* strncmp(s1, s2, n): 0 when the first n characters are the same (as far as
 * both go), 1 when not, as bpftrace's; n a constant. */
static const struct eq_type *check_strncmp(struct sema *s, struct ast *call)
{
	check_two_strings(s, call);
	struct ast *n = call->list.items[2];
	int64_t v;
	if (!sema_const_int(s, n, &v) || v < 0)
		sema_error(s, n->loc, "strncmp()'s length must be a constant number from 0 up");
	else /* lowering reads the number */
		*n = (struct ast){.kind = AST_INT, .loc = n->loc, .ival = v, .type = &ty_s64};
	return &ty_u64;
}

/* The bytes a string holds at most, its NUL included. */
static uint32_t str_room(const struct str_loc *l)
{
	return l->slot < 0 ? (uint32_t)l->len + 1 : l->size;
}

/* A 0/1 value from a branch: `differ` gives 1. */
static struct ir_val value_of_branch(struct lower *L, struct ir_block *equal, struct ir_block *differ,
				     eq_loc loc)
{
	struct ir_block *join = lower_block(L);
	int d = ir_vreg_new(L->f);
	lower_place(L, equal);
	lower_mov(L, d, ir_imm(0), loc);
	lower_jump(L, join, loc);
	lower_place(L, differ);
	lower_mov(L, d, ir_imm(1), loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
	return ir_reg(d);
}

/* if (strncmp(...)) goes to `nonzero` where the strings differ, else to `zero` */
static void lower_strncmp_cond(struct lower *L, const struct ast *call, struct ir_block *nonzero,
			       struct ir_block *zero)
{
	struct str_loc a = lower_str(L, call->list.items[0]), b = lower_str(L, call->list.items[1]);
	/* past the shorter buffer both strings have ended (the shorter at its
	 * NUL, which the longer must match) */
	uint32_t n = (uint32_t)call->list.items[2]->ival, room = str_room(&a);
	if (str_room(&b) < room)
		room = str_room(&b);
	if (n > room)
		n = room;
	lower_str_prefix_eq(L, a, b, n, zero, nonzero, call->loc);
}

static struct ir_val lower_strncmp(struct lower *L, const struct ast *call)
{
	struct ir_block *equal = lower_block(L), *differ = lower_block(L);
	lower_strncmp_cond(L, call, differ, equal);
	return value_of_branch(L, equal, differ, call->loc);
}

/* strcontains(haystack, needle): 1 if needle occurs in haystack, else 0.
 * The needle is a constant: the search is unrolled over the haystack's
 * positions, a byte compare each (the verifier follows no variable offsets
 * into the stack). */
enum { NEEDLE_MAX = 64 };

static const struct eq_type *check_strcontains(struct sema *s, struct ast *call)
{
	if (!check_two_strings(s, call))
		return &ty_u64;
	struct ast *needle = call->list.items[1];
	if (needle->kind != AST_STR)
		sema_error(s, needle->loc, "strcontains()'s second argument must be a string literal: "
			   "the search is unrolled for it");
	else if (needle->str_len > NEEDLE_MAX)
		sema_error(s, needle->loc, "strcontains() searches for at most %d characters, this is %d",
			   NEEDLE_MAX, needle->str_len);
	return &ty_u64;
}

/* if (strcontains(...)) goes to `found` or `absent` */
static void lower_strcontains_cond(struct lower *L, const struct ast *call, struct ir_block *found,
				   struct ir_block *absent)
{
	const struct ast *needle = call->list.items[1];
	struct str_loc hay = lower_str(L, call->list.items[0]);
	int m = needle->str_len;
	if (m == 0 || hay.slot < 0) {
		bool in = m == 0 || memmem(hay.text, (size_t)hay.len, needle->str, (size_t)m);
		lower_jump(L, in ? found : absent, call->loc);
		return;
	}
	/* the last byte of the buffer is its NUL: a match ends before it */
	for (uint32_t i = 0; i + (uint32_t)m < hay.size; i++) {
		struct ir_block *next = lower_block(L);
		int first = lower_load_slot(L, hay.slot, hay.off + (int32_t)i, 1, call->loc);
		struct ir_block *more = lower_block(L);
		lower_branch(L, IRC_EQ, ir_reg(first), ir_imm(0), absent, more, call->loc);
		lower_place(L, more);
		for (int j = 0; j < m; j++) {
			int c = j ? lower_load_slot(L, hay.slot, hay.off + (int32_t)i + j, 1, call->loc) : first;
			struct ir_block *same = j + 1 < m ? lower_block(L) : found;
			lower_branch(L, IRC_EQ, ir_reg(c), ir_imm((unsigned char)needle->str[j]), same, next,
				     call->loc);
			if (same != found)
				lower_place(L, same);
		}
		lower_place(L, next);
	}
	lower_jump(L, absent, call->loc);
}

static struct ir_val lower_strcontains(struct lower *L, const struct ast *call)
{
	const struct ast *hay = call->list.items[0], *needle = call->list.items[1];
	if (needle->str_len == 0)
		return ir_imm(1);
	if (hay->kind == AST_STR) /* known now */
		return ir_imm(memmem(hay->str, (size_t)hay->str_len, needle->str,
				     (size_t)needle->str_len) != NULL);
	struct ir_block *found = lower_block(L), *absent = lower_block(L);
	lower_strcontains_cond(L, call, found, absent);
	/* 1 when found: the branch helper's `differ` */
	return value_of_branch(L, absent, found, call->loc);
}

/* ---- join ----------------------------------------------------------------------- */

/* join(argv[, delim]): the strings of a NULL-terminated array of pointers
 * (execve's argv), printed joined by delim (" ") and a newline, as
 * bpftrace's.  At most JOIN_ARGS strings of JOIN_ARG_SIZE bytes (--strlen
 * if that is more) are read. */
enum { JOIN_ARGS = 16, JOIN_ARG_SIZE = 256 };

static const struct eq_type *check_join(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	const struct eq_type *t = sema_expr(s, a);
	if (!ty_is_number(t) && t->kind != TY_NONE)
		sema_error(s, a->loc, "join() takes the address of an array of string pointers (as "
			   "args->argv), not %s", sema_type_name(s, t));
	if (call->list.count == 2 && call->list.items[1]->kind != AST_STR)
		sema_error(s, call->list.items[1]->loc, "join()'s delimiter must be a string literal");
	return &ty_none;
}

static void lower_join(struct lower *L, const struct ast *call)
{
	const struct ast *array = call->list.items[0];
	uint32_t arg_size = L->env->info->strlen > JOIN_ARG_SIZE ? L->env->info->strlen : JOIN_ARG_SIZE;
	uint32_t size = 16 + JOIN_ARGS * arg_size;
	struct eq_output *o;
	/* big enough to live in the scratch map, whose bytes are always
	 * initialised: the strings need no zeroing beyond their NUL */
	int slot = lower_event_slot(L, EQ_OUT_JOIN, size, call->loc, &o);
	if (slot < 0)
		return;
	o->fmt = call->list.count == 2 ? arena_strdup(L->env->img_arena, call->list.items[1]->str) : " ";
	o->nargs = JOIN_ARGS;
	bool user = array->type->space == SPACE_USER ||
		    (array->type->space == SPACE_NONE && L->ap->user);
	int read = user ? BPF_FUNC_probe_read_user : BPF_FUNC_probe_read_kernel;
	int read_str = user ? BPF_FUNC_probe_read_user_str : BPF_FUNC_probe_read_kernel_str;
	struct ir_val base = lower_int(L, array);
	struct ir_block *done = lower_block(L);
	lower_store(L, slot, 8, 8, ir_imm(0), call->loc);
	for (int i = 0; i < JOIN_ARGS; i++) {
		int at = lower_binop(L, IR_ADD, base, ir_imm(8 * i), call->loc);
		int p = lower_read_memory(L, read, at, 8, call->loc);
		struct ir_block *next = lower_block(L);
		lower_branch(L, IRC_EQ, ir_reg(p), ir_imm(0), done, next, call->loc);
		lower_place(L, next);
		int dst = lower_frame_addr(L, slot, 16 + (int32_t)(i * arg_size), call->loc);
		lower_call(L, read_str, call->loc, 3, ir_reg(dst), ir_imm(arg_size), ir_reg(p));
		lower_store(L, slot, 8, 8, ir_imm(i + 1), call->loc);
	}
	lower_jump(L, done, call->loc);
	lower_place(L, done);
	lower_event_send(L, slot, size, call->loc);
}

const struct builtin builtins_strings[] = {
	BUILTIN_FUNCTION("str", 1, 2, check_str, .lower_into = lower_str_call),
	BUILTIN_FUNCTION("strncmp", 3, 3, check_strncmp, .lower_int = lower_strncmp,
			 .lower_cond = lower_strncmp_cond),
	BUILTIN_FUNCTION("strcontains", 2, 2, check_strcontains, .lower_int = lower_strcontains,
			 .lower_cond = lower_strcontains_cond),
	BUILTIN_STATEMENT("join", 1, 2, check_join, lower_join),
	{0},
};
