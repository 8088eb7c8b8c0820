/* lower_loop.c - AST to IR for loops: while, unroll, for ($i : a..b), and
 * break and continue.
 *
 * The kernel runs a loop only if its verifier proves that it ends: it walks
 * the loop iteration by iteration until the iterations it has seen cover
 * every path.  A loop whose condition it cannot bound (`while ($p != 0)`)
 * it refuses.  So every while loop, and every for loop whose bounds are not
 * constants, also counts its iterations and stops after LOOP_BOUND: the
 * verifier always sees an end.  A loop stopped that way is counted in the
 * data map, and ebpfq says at exit how many were.  A for loop over
 * constants (`for ($i : 0..100)`) needs no counter: its variable bounds it.
 * unroll(N) is its body N times over, no loop at all.
 */
#define LOWER_INTERNAL
#include "lower.h"

static void push_loop(struct lower *L, struct ir_block *brk, struct ir_block *cont)
{
	struct lower_loop loop = {brk, cont};
	ARENA_PUSH(L->arena, L->loops, loop);
}

static void pop_loop(struct lower *L)
{
	L->loops.count--;
}

/* A loop stopped at its bound: counted for the report at exit. */
static void count_bounded_stop(struct lower *L, eq_loc loc)
{
	int counter = lower_data_addr(L, DROPS_VALUE_LOOP_BOUND, loc);
	struct ir_insn *one = lower_emit(L, IR_CONST, loc);
	one->dst = ir_vreg_new(L->f);
	one->imm = 1;
	struct ir_insn *add = lower_emit(L, IR_ATOMIC_ADD, loc);
	add->mem = (struct ir_addr){.base = counter, .slot = -1, .off = 0};
	add->size = 8;
	add->a = ir_reg(one->dst);
}

/* d += k, in place */
static void bump(struct lower *L, int d, int64_t k, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, IR_ADD, loc);
	in->dst = d, in->a = ir_reg(d), in->b = ir_imm(k);
}

/* The shape every counted loop has:
 *     head:   if count >= LOOP_BOUND goto stopped   (bounded only)
 *     test:   if !cond goto after
 *     body:   ...                     (break: after; continue: latch)
 *     latch:  step; count += 1; goto head
 * `test` and `step` are the loop kind's. */
struct loop_shape {
	const struct ast *body;
	bool bounded;
	void (*test)(struct lower *L, const void *arg, struct ir_block *body, struct ir_block *after);
	void (*step)(struct lower *L, const void *arg);
	const void *arg;
	eq_loc loc;
};

static void lower_loop(struct lower *L, const struct loop_shape *s)
{
	struct ir_block *head = lower_block(L), *test = lower_block(L), *body = lower_block(L),
			*latch = lower_block(L), *after = lower_block(L);
	int count = -1;
	if (s->bounded) {
		count = ir_vreg_new(L->f);
		lower_mov(L, count, ir_imm(0), s->loc);
	}
	lower_jump(L, head, s->loc);
	lower_place(L, head);
	if (s->bounded) {
		struct ir_block *stopped = lower_block(L);
		lower_branch(L, IRC_UGE, ir_reg(count), ir_imm(LOOP_BOUND), stopped, test, s->loc);
		lower_place(L, stopped);
		count_bounded_stop(L, s->loc);
		lower_jump(L, after, s->loc);
	} else {
		lower_jump(L, test, s->loc);
	}
	lower_place(L, test);
	s->test(L, s->arg, body, after);
	lower_place(L, body);
	push_loop(L, after, latch);
	lower_body(L, s->body);
	pop_loop(L);
	lower_jump(L, latch, s->loc);
	lower_place(L, latch);
	if (s->step)
		s->step(L, s->arg);
	if (s->bounded)
		bump(L, count, 1, s->loc);
	lower_jump(L, head, s->loc);
	lower_place(L, after);
}

static void while_test(struct lower *L, const void *arg, struct ir_block *body, struct ir_block *after)
{
	lower_cond(L, arg, body, after);
}

void lower_while(struct lower *L, const struct ast *st)
{
	struct loop_shape s = {st->b, true, while_test, NULL, st->a, st->loc};
	lower_loop(L, &s);
}

/* for ($i : a..b) */
struct range_loop {
	int var, end;         /* vregs: $i, and b evaluated once */
	struct ir_val end_imm;
	eq_loc loc;
};

static void range_test(struct lower *L, const void *arg, struct ir_block *body, struct ir_block *after)
{
	const struct range_loop *r = arg;
	struct ir_val end = r->end >= 0 ? ir_reg(r->end) : r->end_imm;
	lower_branch(L, IRC_SLT, ir_reg(r->var), end, body, after, r->loc);
}

static void range_step(struct lower *L, const void *arg)
{
	const struct range_loop *r = arg;
	bump(L, r->var, 1, r->loc);
}

void lower_for_range(struct lower *L, const struct ast *st)
{
	const struct ast *var = st->a, *range = st->b;
	if (L->var_vreg[var->sema_id] < 0)
		L->var_vreg[var->sema_id] = ir_vreg_new(L->f);
	struct range_loop r = {L->var_vreg[var->sema_id], -1, ir_imm(0), st->loc};
	struct ir_val from = lower_int(L, range->a), end = lower_int(L, range->b);
	lower_mov(L, r.var, from, st->loc);
	if (end.kind == IRV_IMM) {
		r.end_imm = end;
	} else {
		r.end = ir_vreg_new(L->f);
		lower_mov(L, r.end, end, st->loc);
	}
	/* constant bounds bound the loop themselves */
	bool bounded = !(from.kind == IRV_IMM && end.kind == IRV_IMM &&
			 end.imm - from.imm <= LOOP_BOUND);
	struct loop_shape s = {st->c, bounded, range_test, range_step, &r, st->loc};
	lower_loop(L, &s);
}

void lower_unroll(struct lower *L, const struct ast *st)
{
	struct ir_block *after = lower_block(L);
	for (int64_t i = 0; i < st->ival; i++) {
		struct ir_block *next = lower_block(L);
		push_loop(L, after, next);
		lower_body(L, st->b);
		pop_loop(L);
		lower_jump(L, next, st->loc);
		lower_place(L, next);
	}
	lower_jump(L, after, st->loc);
	lower_place(L, after);
}

void lower_break_continue(struct lower *L, const struct ast *st)
{
	const struct lower_loop *loop = &L->loops.items[L->loops.count - 1];
	lower_jump(L, st->kind == AST_BREAK ? loop->brk : loop->cont, st->loc);
	lower_place(L, lower_block(L)); /* unreachable: what follows is dropped */
}
