/* opt_fold.c - dead code: instructions whose result nobody reads.
 *
 * Lowering emits some values that end up unused (the context register of a
 * probe that never reads its arguments, a builtin evaluated for nothing);
 * removing them here keeps lowering simple and the output tight.
 */
#include "ir.h"

#include <stdlib.h>

static bool has_side_effect(enum ir_op op)
{
	return op == IR_CALL || op == IR_STORE || op == IR_ATOMIC_ADD || ir_is_terminator(op);
}

/* One sweep with the use counts of what is left; returns whether another
 * could remove more: whether a removal left a vreg unread.  (Recounting
 * at each sweep and sweeping again to find nothing removed cost a whole
 * probe's worth of passes more than needed.)  A removal only makes more
 * removable, so the order does not change what is left at the end. */
static bool sweep(struct ir_func *f, int *uses)
{
	bool again = false;
	for (int i = 0; i < f->blocks.count; i++) {
		struct ir_block *b = f->blocks.items[i];
		int out = 0;
		for (int j = 0; j < b->insns.count; j++) {
			struct ir_insn *in = &b->insns.items[j];
			if (in->dst >= 0 && !uses[in->dst]) {
				if (!has_side_effect(in->op)) {
					int u[IR_MAX_ARGS + 3], n = ir_uses(in, u);
					for (int k = 0; k < n; k++)
						again |= --uses[u[k]] == 0;
					continue;
				}
				in->dst = -1; /* a call whose result is unused */
			}
			b->insns.items[out++] = *in;
		}
		b->insns.count = out;
	}
	return again;
}

void opt_fold(struct ir_func *f)
{
	int *uses = calloc((size_t)f->nvregs + 1, sizeof(int));
	if (!uses)
		abort();
	for (int i = 0; i < f->blocks.count; i++) {
		const struct ir_block *b = f->blocks.items[i];
		for (int j = 0; j < b->insns.count; j++) {
			int u[IR_MAX_ARGS + 3];
			int n = ir_uses(&b->insns.items[j], u);
			for (int k = 0; k < n; k++)
				uses[u[k]]++;
		}
	}
	while (sweep(f, uses))
		;
	free(uses);
}
