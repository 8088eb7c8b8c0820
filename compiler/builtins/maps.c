/* maps.c - operations on a whole map or one of its entries: delete(),
 * clear(). */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include "builtins.h"
#include "lower.h"
#include "sema.h"

static const struct eq_type *check_delete(struct sema *s, struct ast *call)
{
	sema_map_arg(s, call, true);
	return &ty_none;
}

static void lower_delete(struct lower *L, const struct ast *call)
{
	const struct ast *m = call->list.items[0];
	int key = lower_key(L, m);
	int map = lower_map_addr(L, m->sema_id, call->loc);
	int kaddr = lower_frame_addr(L, key, 0, call->loc);
	lower_call(L, BPF_FUNC_map_delete_elem, call->loc, 2, ir_reg(map), ir_reg(kaddr));
}

static const struct eq_type *check_clear(struct sema *s, struct ast *call)
{
	struct ast *m = call->list.items[0];
	if (sema_map_arg(s, call, false) && m->list.count > 0)
		sema_error(s, m->loc, "clear() takes a whole map: clear(%s)", m->name);
	return &ty_none;
}

static void lower_clear(struct lower *L, const struct ast *call)
{
	lower_send_event(L, EQ_OUT_CLEAR_MAP, call->list.items[0]->sema_id, call->loc);
}

const struct builtin builtins_maps[] = {
	{.name = "delete", .kind = BUILTIN_CALL, .use = USE_STATEMENT, .min_args = 1, .max_args = 1,
	 .check = check_delete, .lower_stmt = lower_delete},
	{.name = "clear", .kind = BUILTIN_CALL, .use = USE_STATEMENT, .min_args = 1, .max_args = 1,
	 .check = check_clear, .lower_stmt = lower_clear},
	{0},
};
