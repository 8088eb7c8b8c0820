/* maps.c - operations on a whole map or one of its entries: delete(),
 * clear(), zero(), len(). */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* delete(@m[k1, k2]), and bpftrace's newer delete(@m, key) and
 * delete(@m, (k1, k2)), which are rewritten to the first form here.
 * delete(@m) of a key-less map empties it. */
static const struct eq_type *check_delete(struct sema *s, struct ast *call)
{
	struct ast *m = call->list.items[0];
	if (call->list.count == 2 && m->kind == AST_MAP && m->list.count == 0) {
		struct ast *key = call->list.items[1];
		if (key->kind == AST_TUPLE)
			m->list = key->list;
		else
			ast_append(s->arena, m, key);
		call->list.count = 1;
	} else if (call->list.count == 2) {
		sema_error(s, call->list.items[1]->loc, "delete() takes a map and a key, as in "
			   "delete(@m, key) or delete(@m[key])");
		return &ty_none;
	}
	struct sema_map *sm = sema_map_arg(s, call, m->list.count > 0);
	if (sm && sm->nkeys > 0 && m->list.count == 0)
		sema_error(s, m->loc, "delete() of a map with keys takes the key: delete(%s[key]) "
			   "(clear(%s) empties it)", m->name, m->name);
	return &ty_none;
}

static void lower_delete(struct lower *L, const struct ast *call)
{
	const struct ast *m = call->list.items[0];
	const struct sema_map *sm = lower_map_info(L, m);
	bool hist = sm->value.kind == TY_AGG && (sm->value.agg == AGG_HIST || sm->value.agg == AGG_LHIST);
	if (sm->nkeys == 0) /* a key-less map is emptied (an array cannot lose its entry) */
		lower_send_event(L, EQ_OUT_CLEAR_MAP, m->sema_id, call->loc);
	else if (hist) /* one kernel entry per bucket: user space finds them */
		lower_send_key_event(L, EQ_OUT_DELETE_ENTRY, m, call->loc);
	else
		lower_delete_key(L, m, call->loc);
}

/* clear(@m), zero(@m): a whole map. */
static const struct eq_type *check_whole_map(struct sema *s, struct ast *call)
{
	struct ast *m = call->list.items[0];
	if (sema_map_arg(s, call, false) && m->list.count > 0)
		sema_error(s, m->loc, "%s() takes a whole map: %s(%s)", call->name, call->name, m->name);
	return &ty_none;
}

static void lower_clear(struct lower *L, const struct ast *call)
{
	lower_send_event(L, EQ_OUT_CLEAR_MAP, call->list.items[0]->sema_id, call->loc);
}

static void lower_zero_map(struct lower *L, const struct ast *call)
{
	lower_send_event(L, EQ_OUT_ZERO_MAP, call->list.items[0]->sema_id, call->loc);
}

/* len(@m): how many keys a map with keys holds. */
static const struct eq_type *check_len(struct sema *s, struct ast *call)
{
	struct ast *m = call->list.items[0];
	struct sema_map *sm = sema_map_arg(s, call, false);
	if (!sm)
		return &ty_u64;
	if (m->list.count > 0)
		sema_error(s, m->loc, "len() counts the keys of a whole map: len(%s)", m->name);
	else if (sm->nkeys == 0 && s->reporting)
		sema_error(s, m->loc, "len() counts keys, and map %s has none (it holds one value)", m->name);
	else if (sm->value.kind == TY_AGG && (sm->value.agg == AGG_HIST || sm->value.agg == AGG_LHIST))
		sema_error(s, m->loc, "len() of a histogram map is not supported: its kernel map holds "
			   "one entry per key and bucket");
	return &ty_u64;
}

/* The kernel counts: bpf_for_each_map_elem returns how many elements it
 * visited, with a callback that only says "go on". */
static struct ir_val lower_len(struct lower *L, const struct ast *call)
{
	eq_loc loc = call->loc;
	int map = lower_map_addr(L, call->list.items[0]->sema_id, loc);
	int callback = lower_funcaddr(L, lower_continue_subprog(L, loc), loc);
	return ir_reg(lower_call(L, BPF_FUNC_for_each_map_elem, loc, 4, ir_reg(map), ir_reg(callback),
				 ir_imm(0), ir_imm(0)));
}

const struct builtin builtins_maps[] = {
	BUILTIN_STATEMENT("delete", 1, 2, check_delete, lower_delete),
	BUILTIN_STATEMENT("clear", 1, 1, check_whole_map, lower_clear),
	BUILTIN_STATEMENT("zero", 1, 1, check_whole_map, lower_zero_map),
	BUILTIN_FUNCTION("len", 1, 1, check_len, .lower_int = lower_len),
	{0},
};
