/* aggregate.c - aggregations: count(), sum(x).
 *
 * An aggregation is only ever the value given to a map (`@m[k] = count()`);
 * its map is per CPU, so a hit is a plain read-modify-write of this CPU's
 * value with no atomics and no race, and user space combines the CPUs. */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include "builtins.h"
#include "lower.h"
#include "sema.h"

static const struct eq_type *check_count(struct sema *s, struct ast *call)
{
	return ty_agg(s->arena, AGG_COUNT, false);
}

static const struct eq_type *check_sum(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	const struct eq_type *t = sema_expr(s, a);
	if (t->kind != TY_INT && t->kind != TY_NONE)
		sema_error(s, a->loc, "sum() adds integers, not %s", sema_type_name(s, t));
	return ty_agg(s->arena, AGG_SUM, true);
}

/* @m[k] = count() / sum(x): add to this CPU's value, or insert it. */
static void lower_add(struct lower *L, const struct ast *m, const struct ast *call)
{
	int key = lower_key(L, m);
	struct ir_val v = call->list.count ? lower_int(L, call->list.items[0]) : ir_imm(1);
	struct ir_block *hit = lower_block(L), *miss = lower_block(L), *join = lower_block(L);
	int p = lower_lookup(L, m, key, hit, miss);
	lower_place(L, hit);
	int sum = lower_binop(L, IR_ADD, ir_reg(lower_load(L, p, 0, 8, false, m->loc)), v, m->loc);
	lower_store_at(L, p, 0, 8, ir_reg(sum), m->loc);
	lower_jump(L, join, m->loc);
	lower_place(L, miss);
	if (lower_map_info(L, m)->nkeys > 0) { /* a key-less map is an array: never missing */
		int val = ir_slot_new(L->arena, L->f, 8, false);
		lower_store(L, val, 0, 8, v, m->loc);
		lower_update(L, m->sema_id, key, val, m->loc);
	}
	lower_jump(L, join, m->loc);
	lower_place(L, join);
}

const struct builtin builtins_aggregate[] = {
	{.name = "count", .kind = BUILTIN_CALL, .use = USE_MAP_VALUE, .min_args = 0, .max_args = 0,
	 .check = check_count, .lower_update = lower_add},
	{.name = "sum", .kind = BUILTIN_CALL, .use = USE_MAP_VALUE, .min_args = 1, .max_args = 1,
	 .check = check_sum, .lower_update = lower_add},
	{0},
};
