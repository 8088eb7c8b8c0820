/* time.c - wall-clock time: time(fmt) prints the time now, in user space
 * when its event arrives (as bpftrace does), with strftime(3)'s format and
 * %f for microseconds. */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* time([fmt]): fmt a string literal, "%H:%M:%S\n" if none. */
static const struct eq_type *check_time(struct sema *s, struct ast *call)
{
	if (call->list.count && call->list.items[0]->kind != AST_STR) {
		struct ast *a = call->list.items[0];
		sema_expr(s, a);
		sema_error(s, a->loc, "time()'s format must be a string literal, as in time(\"%%H:%%M:%%S\\n\")");
	}
	return &ty_none;
}

static void lower_time(struct lower *L, const struct ast *call)
{
	struct eq_output *o = lower_send_event(L, EQ_OUT_TIME, 0, call->loc);
	o->fmt = arena_strdup(L->env->img_arena,
			      call->list.count ? call->list.items[0]->str : "%H:%M:%S\n");
}

const struct builtin builtins_time[] = {
	BUILTIN_STATEMENT("time", 0, 1, check_time, lower_time),
	{0},
};
