/* regalloc.c - virtual registers to R0..R9 by linear scan.
 *
 * Positions: instruction k reads its operands at 2k and writes its result
 * at 2k+1, so a value whose last use is instruction k and the value k
 * defines may share a register (the two-address form BPF wants).  Each
 * vreg gets one interval, the hull of the positions where it is live.
 *
 * Constraints, from the BPF calling convention:
 *  - a call clobbers R0..R5: an interval live across a call gets R6..R9;
 *  - arguments go in R1..R5 and the result comes in R0: the emitter moves
 *    values there, and hints steer each value into its register so the
 *    moves disappear;
 *  - `d = a - b` is emitted as `d = a; d -= b`, so d may not take b's
 *    register (unless the operator commutes).
 * When no register is free the interval that ends last is spilled: its
 * definitions store to a frame slot, its uses load into fresh short-lived
 * vregs, and allocation starts again on the rewritten function.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

enum { NREGS = 10 };

struct interval {
	int vreg;
	int start, end; /* -1: never live */
	int hint;       /* preferred register, -1 for none */
	int same_as;    /* vreg whose register suits this one (two-address), -1 */
	int avoid;      /* vreg whose register this one may not take, -1 */
	bool crosses_call;
	bool no_spill;  /* a spill reload: spilling it again would not help */
};

struct ra {
	struct arena *arena;
	struct arena *scratch; /* an iteration's tables: see regalloc() */
	struct ir_func *f;
	struct interval *iv; /* per vreg, made anew each round (in scratch) */
	int *call_pos;  /* positions (2k) of the calls, ascending */
	int ncalls;
	int npos;
	bool *no_spill; /* per vreg, survives rewrites */
	int8_t *reg_of; /* the function's reg_of while allocating, until copied to the arena */
	int cap;        /* vregs no_spill and reg_of have room for */
	struct {        /* a block being rewritten by spill_vreg */
		struct ir_insn *items;
		int count, cap;
	} rewrite;
};

/* ---- liveness ---------------------------------------------------------------- */

/* Live sets are sorted arrays of the items live, not bit vectors over all
 * of them: a long probe has tens of thousands of vregs and blocks, but only
 * a handful of vregs live at any block's edge, so bit vectors made liveness
 * (and the walk over it in build_intervals) quadratic in the probe's length,
 * in time and memory.  The sets are the same, so the intervals are. */
struct live_set {
	int *items; /* ascending, no repeats */
	int n, cap;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static void set_reserve(struct live_set *s, int n)
{
	if (n <= s->cap)
		return;
	s->cap = n < 8 ? 8 : 2 * n;
	s->items = realloc(s->items, sizeof(int) * (size_t)s->cap);
	if (!s->items)
		abort();
}

static void set_add(struct live_set *s, int item)
{
	set_reserve(s, s->n + 1);
	s->items[s->n++] = item;
}

static int compare_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* out = a | b, or a - b when minus */
static void set_merge(struct live_set *out, const struct live_set *a, const struct live_set *b, bool minus)
{
	set_reserve(out, a->n + b->n);
	int i = 0, j = 0, n = 0;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->items[i] < b->items[j]))
			out->items[n++] = a->items[i++];
		else if (i == a->n || b->items[j] < a->items[i]) {
			if (!minus)
				out->items[n++] = b->items[j];
			j++;
		} else { /* in both */
			if (!minus)
				out->items[n++] = a->items[i];
			i++, j++;
		}
	}
	out->n = n;
}

static bool set_equal(const struct live_set *a, const struct live_set *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->items, b->items, sizeof(int) * (size_t)a->n));
}

static void set_free(struct live_set *s)
{
	free(s->items);
}

static int successors(const struct ir_block *b, int *out)
{
	if (!b->insns.count)
		return 0;
	const struct ir_insn *t = &b->insns.items[b->insns.count - 1];
	if (t->op == IR_JMP) {
		out[0] = t->target[0];
		return 1;
	}
	if (t->op == IR_BR) {
		out[0] = t->target[0];
		out[1] = t->target[1];
		return 2;
	}
	return 0;
}

/* What liveness is computed over: vregs, or (to share spill slots) the
 * spill slots, numbered densely, that spill loads read and stores write. */
struct live_items {
	int (*uses)(const struct live_items *li, const struct ir_insn *in, int *out);
	int (*def)(const struct live_items *li, const struct ir_insn *in);
	const int *slot_item; /* spill slots: slot index -> item, -1 for other slots */
	int count;            /* items are 0 .. count-1 */
};

static int vreg_uses(const struct live_items *li, const struct ir_insn *in, int *out)
{
	(void)li;
	return ir_uses(in, out);
}

static int vreg_def(const struct live_items *li, const struct ir_insn *in)
{
	(void)li;
	return in->dst;
}

/* The live sets' items, in chunks that never move: a set, once stored,
 * is not changed (a new value is stored anew), so a block's live_out can
 * be its successor's live_in itself, and there is no malloc per set (a
 * malloc and a free per block and set were a third of liveness). */
enum { POOL_CHUNK = 16 * 1024 };

struct pool_chunk {
	struct pool_chunk *prev;
	int items[];
};

struct live_pool {
	struct arena *arena; /* the scratch arena the chunks come from */
	struct pool_chunk *last;
	int *next;
	size_t left;
};

static int *pool_take(struct live_pool *p, int n)
{
	if ((size_t)n > p->left) {
		size_t size = n > POOL_CHUNK ? (size_t)n : POOL_CHUNK;
		struct pool_chunk *c = arena_alloc(p->arena, sizeof(*c) + sizeof(int) * size);
		c->prev = p->last;
		p->last = c;
		p->next = c->items;
		p->left = size;
	}
	int *items = p->next;
	p->next += n;
	p->left -= (size_t)n;
	return items;
}

/* Return the last n items pool_take gave. */
static void pool_give_back(struct live_pool *p, int n)
{
	p->next -= n;
	p->left += (size_t)n;
}

/* *dst = *src, src's items copied into the pool unless src is in the pool
 * already (stored); false if *dst was equal to it already. */
static bool set_store(struct live_pool *p, struct live_set *dst, const struct live_set *src, bool stored)
{
	if (set_equal(dst, src))
		return false;
	if (stored || !src->n) {
		*dst = *src;
		return true;
	}
	int *items = pool_take(p, src->n);
	memcpy(items, src->items, sizeof(int) * (size_t)src->n);
	*dst = (struct live_set){items, src->n, src->n};
	return true;
}

/* live_in/live_out per block (index in layout), nb sets each, their items
 * in pool; all in the scratch arena liveness() was given. */
struct liveness {
	int nb;
	struct live_set *in, *out;
	struct live_pool pool;
};

/* A block's gen and kill sets have a few items: insertion sort, with qsort
 * for a long block. */
static void sort_small(struct live_set *s)
{
	if (s->n > 16) {
		qsort(s->items, (size_t)s->n, sizeof(int), compare_int);
		return;
	}
	for (int i = 1; i < s->n; i++) {
		int x = s->items[i], j = i;
		for (; j > 0 && s->items[j - 1] > x; j--)
			s->items[j] = s->items[j - 1];
		s->items[j] = x;
	}
}

/* What block b reads before it writes it (gen) and what it writes (kill),
 * into sets with room for all of its instructions' items. */
static void block_summary(const struct ir_block *b, const struct live_items *li, int stamp,
			  int *defined, int *listed, struct live_set *gen, struct live_set *kill)
{
	gen->n = kill->n = 0;
	for (int j = 0; j < b->insns.count; j++) {
		const struct ir_insn *in = &b->insns.items[j];
		int u[IR_MAX_ARGS + 3], nu = li->uses(li, in, u), d = li->def(li, in);
		for (int k = 0; k < nu; k++) /* an instruction reads before it writes */
			if (defined[u[k]] != stamp && listed[u[k]] != stamp) {
				listed[u[k]] = stamp;
				set_add(gen, u[k]);
			}
		if (d >= 0 && defined[d] != stamp) {
			defined[d] = stamp;
			set_add(kill, d);
		}
	}
	sort_small(gen);
	sort_small(kill);
}

/* live_in = gen | (live_out - kill), live_out = the successors' live_in,
 * iterated to the least fixed point, blocks in reverse layout order: one
 * pass when no edge goes back in the layout. */
static void liveness(struct arena *scratch, const struct ir_func *f, const struct live_items *li,
		     struct liveness *lv)
{
	int n = f->blocks.count;
	lv->nb = n;
	lv->in = ARENA_ARRAY(scratch, struct live_set, n + 1);
	lv->out = ARENA_ARRAY(scratch, struct live_set, n + 1);
	struct live_set *gen = ARENA_ARRAY(scratch, struct live_set, n + 1);
	struct live_set *kill = ARENA_ARRAY(scratch, struct live_set, n + 1);
	int *index_of = ARENA_ARRAY(scratch, int, f->nblock_ids + 1);
	int *defined = ARENA_ARRAY(scratch, int, li->count + 1);
	int *listed = ARENA_ARRAY(scratch, int, li->count + 1);
	/* each block's successors, by index: found while its instructions are
	 * at hand for its summary (reading its last instruction again in the
	 * backward sweep was a cache miss a block, most of liveness's time) */
	int *succ = ARENA_ARRAY(scratch, int, 2 * n + 2); /* block i's at 2i, 2i + 1 */
	uint8_t *nsucc = ARENA_ARRAY(scratch, uint8_t, n + 1);
	/* Every block's gen and kill, one after the other in a pool: each
	 * block takes room for as many items as its instructions can name (no
	 * set grows; a malloc per block before), and gives back what it did
	 * not fill (room for all at once was megabytes of pages touched once) */
	struct live_pool summaries = {.arena = scratch};
	for (int i = 0; i < n; i++) {
		const struct ir_block *b = f->blocks.items[i];
		int room = b->insns.count * (IR_MAX_ARGS + 3), kill_room = b->insns.count;
		int *items = pool_take(&summaries, room + kill_room);
		gen[i] = (struct live_set){items, 0, room};
		kill[i] = (struct live_set){items + room, 0, kill_room};
		index_of[b->id] = i;
		nsucc[i] = (uint8_t)successors(b, &succ[2 * i]);
		block_summary(b, li, i + 1, defined, listed, &gen[i], &kill[i]);
		memmove(items + gen[i].n, kill[i].items, sizeof(int) * (size_t)kill[i].n);
		kill[i].items = items + gen[i].n;
		gen[i].cap = gen[i].n;
		kill[i].cap = kill[i].n;
		pool_give_back(&summaries, room + kill_room - gen[i].n - kill[i].n);
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nsucc[i]; k++)
			succ[2 * i + k] = index_of[succ[2 * i + k]];
	lv->pool = (struct live_pool){.arena = scratch};
	struct live_set empty = {0}, merged = {0}, tmp = {0}, in = {0};
	bool back = false; /* an edge to a block at or before its source */
	for (bool changed = true; changed;) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			int ns = nsucc[i];
			for (int k = 0; k < ns; k++)
				back |= succ[2 * i + k] <= i;
			const struct live_set *a = ns > 0 ? &lv->in[succ[2 * i]] : &empty;
			const struct live_set *b = ns > 1 ? &lv->in[succ[2 * i + 1]] : &empty;
			if (!b->n || a->items == b->items) {
				set_store(&lv->pool, &lv->out[i], a, true);
			} else if (!a->n) {
				set_store(&lv->pool, &lv->out[i], b, true);
			} else {
				set_merge(&merged, a, b, false);
				set_store(&lv->pool, &lv->out[i], &merged, false);
			}
			if (!kill[i].n && !gen[i].n) {
				changed |= set_store(&lv->pool, &lv->in[i], &lv->out[i], true);
				continue;
			}
			set_merge(&tmp, &lv->out[i], &kill[i], true);
			set_merge(&in, &tmp, &gen[i], false);
			/* most blocks of a long probe leave the same vregs live
			 * at both ends: live_in shares live_out's items then */
			bool same = set_equal(&in, &lv->out[i]);
			changed |= set_store(&lv->pool, &lv->in[i], same ? &lv->out[i] : &in, same);
		}
		if (!back) /* each block's successors were final before it: done */
			break;
	}
	set_free(&merged);
	set_free(&tmp);
	set_free(&in);
}

static void extend(struct interval *iv, int pos)
{
	if (iv->start < 0 || pos < iv->start)
		iv->start = pos;
	if (pos > iv->end)
		iv->end = pos;
}

static bool commutes(enum ir_op op)
{
	return op == IR_ADD || op == IR_MUL || op == IR_AND || op == IR_OR || op == IR_XOR;
}

/* Hints and two-address preferences, from how each vreg is defined and used. */
static void note_preferences(struct ra *ra, const struct ir_insn *in)
{
	struct interval *iv = ra->iv;
	if (in->op == IR_CALL) {
		if (in->dst >= 0)
			iv[in->dst].hint = 0;
		for (int i = 0; i < in->nargs; i++)
			if (in->args[i].kind == IRV_REG && iv[in->args[i].reg].hint < 0)
				iv[in->args[i].reg].hint = i + 1;
	} else if (in->op == IR_CTX) {
		iv[in->dst].hint = 1;
	} else if (in->op == IR_ARG) {
		/* its own argument register: nothing else is live at the entry,
		 * so it gets it (or R6-R9 across a call) and the move disappears;
		 * no other argument is clobbered before it is taken */
		iv[in->dst].hint = 1 + (int)in->imm;
	} else if (in->op == IR_RET && in->a.kind == IRV_REG) {
		if (iv[in->a.reg].hint < 0)
			iv[in->a.reg].hint = 0;
	}
	if (in->dst >= 0 && in->a.kind == IRV_REG &&
	    (ir_op_kind(in->op) == IRK_BINARY || ir_op_kind(in->op) == IRK_UNARY))
		iv[in->dst].same_as = in->a.reg;
	if (in->dst >= 0 && ir_op_kind(in->op) == IRK_BINARY && in->b.kind == IRV_REG &&
	    !commutes(in->op))
		iv[in->dst].avoid = in->b.reg;
}

/* Intervals from the live sets: each vreg's hull of the block edges where
 * it is live and the positions where it is read or written. */
static void build_intervals(struct ra *ra)
{
	struct ir_func *f = ra->f;
	int nb = f->blocks.count;
	struct live_items vregs = {vreg_uses, vreg_def, NULL, f->nvregs};
	struct liveness lv;
	liveness(ra->scratch, f, &vregs, &lv);
	for (int v = 0; v < f->nvregs; v++)
		ra->iv[v] = (struct interval){v, -1, -1, -1, -1, -1, false, ra->no_spill[v]};
	int k = 0;
	ra->ncalls = 0;
	for (int i = 0; i < nb; i++) {
		const struct ir_block *b = f->blocks.items[i];
		int first = 2 * k, last = 2 * (k + b->insns.count) - 1;
		for (int x = 0; x < lv.in[i].n; x++)
			extend(&ra->iv[lv.in[i].items[x]], first);
		for (int x = 0; x < lv.out[i].n; x++)
			extend(&ra->iv[lv.out[i].items[x]], last);
		for (int j = 0; j < b->insns.count; j++, k++) {
			const struct ir_insn *in = &b->insns.items[j];
			int u[IR_MAX_ARGS + 3], nu = ir_uses(in, u);
			for (int x = 0; x < nu; x++)
				extend(&ra->iv[u[x]], 2 * k);
			if (in->dst >= 0)
				extend(&ra->iv[in->dst], 2 * k + 1);
			if (in->op == IR_CALL)
				ra->call_pos[ra->ncalls++] = 2 * k;
			note_preferences(ra, in);
		}
	}
	ra->npos = 2 * k;
	/* A value computed in place from another (v = u + 8, two-address) wants
	 * u's register; where v has a register to go to (a helper's argument)
	 * and u has none, u wants it too, so that the chain ends there without
	 * a move: `r3 = *(ctx + 112); r3 += 8`, not `r0 = ...; r0 += 8; r3 = r0`.
	 * Later vregs first: a chain hands its hint back one link at a time. */
	for (int v = f->nvregs - 1; v >= 0; v--) {
		struct interval *iv = &ra->iv[v];
		if (iv->hint >= 0 && iv->same_as >= 0 && ra->iv[iv->same_as].hint < 0)
			ra->iv[iv->same_as].hint = iv->hint;
	}
	/* an interval crosses a call if the first call at or after its start
	 * comes before its end: next_call[p] is that call's position for each
	 * p (npos if none), one walk back over the positions, not a search
	 * per vreg (a binary search for each was a tenth of regalloc) */
	int *next_call = ARENA_ARRAY(ra->scratch, int, ra->npos + 1);
	next_call[ra->npos] = ra->npos;
	for (int p = ra->npos - 1, c = ra->ncalls - 1; p >= 0; p--) {
		next_call[p] = next_call[p + 1];
		if (c >= 0 && ra->call_pos[c] == p)
			next_call[p] = ra->call_pos[c--];
	}
	for (int v = 0; v < f->nvregs; v++) {
		struct interval *iv = &ra->iv[v];
		if (iv->start >= 0)
			iv->crosses_call = next_call[iv->start] < iv->end;
	}
}

/* ---- allocation ---------------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
	const struct interval *x = *(struct interval *const *)a, *y = *(struct interval *const *)b;
	return x->start != y->start ? x->start - y->start : x->vreg - y->vreg;
}

/* The order free registers are tried in: scratch registers that calls do
 * not want first, R1 (the usual first argument) last among them. */
static const int try_order[] = {0, 5, 4, 3, 2, 1, 6, 7, 8, 9};

static bool allowed(const struct interval *iv, int r)
{
	return iv->crosses_call ? r >= 6 : true;
}

static int choose(struct ra *ra, const struct interval *iv, const bool *busy)
{
	int8_t *reg_of = ra->f->reg_of;
	int avoid = iv->avoid >= 0 && iv->avoid != iv->same_as ? reg_of[iv->avoid] : -1;
	if (iv->avoid >= 0 && iv->same_as >= 0 && reg_of[iv->avoid] == reg_of[iv->same_as])
		avoid = -1;
	/* Two-address first: it saves a move now; the hint may save one later. */
	int want[2] = {iv->same_as >= 0 ? reg_of[iv->same_as] : -1, iv->hint};
	for (int i = 0; i < 2; i++) {
		int r = want[i];
		if (r >= 0 && !busy[r] && allowed(iv, r) && r != avoid)
			return r;
	}
	for (int i = 0; i < NREGS; i++) {
		int r = try_order[i];
		if (!busy[r] && allowed(iv, r) && r != avoid)
			return r;
	}
	return -1;
}

/* Returns -1 on success, or the vreg to spill. */
static int linear_scan(struct ra *ra)
{
	struct ir_func *f = ra->f;
	struct interval **order = ARENA_ARRAY(ra->scratch, struct interval *, f->nvregs + 1);
	struct interval **active = ARENA_ARRAY(ra->scratch, struct interval *, f->nvregs + 1);
	int n = 0, nactive = 0, spill = -1;
	/* by start, then vreg (by_start's order): a counting sort over the
	 * positions, linear where qsort was n log n and a tenth of regalloc */
	int *first = ARENA_ARRAY(ra->scratch, int, ra->npos + 2);
	for (int v = 0; v < f->nvregs; v++) {
		f->reg_of[v] = -1;
		if (ra->iv[v].start >= 0) {
			first[ra->iv[v].start + 1]++;
			n++;
		}
	}
	for (int p = 0; p <= ra->npos; p++)
		first[p + 1] += first[p];
	for (int v = 0; v < f->nvregs; v++)
		if (ra->iv[v].start >= 0)
			order[first[ra->iv[v].start]++] = &ra->iv[v];
	for (int i = 0; i < n && spill < 0; i++) {
		struct interval *iv = order[i];
		bool busy[NREGS] = {false};
		int keep = 0;
		for (int a = 0; a < nactive; a++)
			if (active[a]->end >= iv->start) {
				active[keep++] = active[a];
				busy[f->reg_of[active[a]->vreg]] = true;
			}
		nactive = keep;
		int r = choose(ra, iv, busy);
		if (r < 0) {
			/* spill whichever live interval ends last */
			struct interval *victim = iv->no_spill ? NULL : iv;
			for (int a = 0; a < nactive; a++)
				if (!active[a]->no_spill && (!victim || active[a]->end > victim->end))
					victim = active[a];
			spill = victim ? victim->vreg : iv->vreg;
			break;
		}
		f->reg_of[iv->vreg] = (int8_t)r;
		active[nactive++] = iv;
	}
	return spill;
}

/* ---- spilling ------------------------------------------------------------------- */

/* Room for the function's vregs (and one more) in the per-vreg arrays,
 * which grow by doubling: a spill makes a fresh vreg per use and def. */
static void reserve_vregs(struct ra *ra)
{
	int n = ra->f->nvregs + 1, old = ra->cap;
	if (n <= old)
		return;
	ra->cap = 2 * n;
	ra->no_spill = realloc(ra->no_spill, sizeof(bool) * (size_t)ra->cap);
	ra->reg_of = realloc(ra->reg_of, (size_t)ra->cap);
	if (!ra->no_spill || !ra->reg_of)
		abort();
	memset(ra->no_spill + old, 0, sizeof(bool) * (size_t)(ra->cap - old));
	ra->f->reg_of = ra->reg_of;
}

static int fresh(struct ra *ra)
{
	int v = ir_vreg_new(ra->f);
	reserve_vregs(ra);
	ra->no_spill[v] = true;
	return v;
}

static void push_insn(struct ra *ra, struct ir_insn in)
{
	if (ra->rewrite.count == ra->rewrite.cap) {
		ra->rewrite.cap = ra->rewrite.cap ? 2 * ra->rewrite.cap : 64;
		ra->rewrite.items = realloc(ra->rewrite.items, sizeof(in) * (size_t)ra->rewrite.cap);
		if (!ra->rewrite.items)
			abort();
	}
	ra->rewrite.items[ra->rewrite.count++] = in;
}

static bool mentions(const struct ir_block *b, int v)
{
	for (int j = 0; j < b->insns.count; j++) {
		int u[IR_MAX_ARGS + 3], nu = ir_uses(&b->insns.items[j], u);
		if (b->insns.items[j].dst == v)
			return true;
		for (int k = 0; k < nu; k++)
			if (u[k] == v)
				return true;
	}
	return false;
}

static void replace_use(struct ir_insn *in, int from, int to)
{
	if (in->a.kind == IRV_REG && in->a.reg == from)
		in->a.reg = to;
	if (in->b.kind == IRV_REG && in->b.reg == from)
		in->b.reg = to;
	if (in->mem.base == from && ir_op_kind(in->op) != IRK_ADDR)
		in->mem.base = to;
	for (int i = 0; i < in->nargs; i++)
		if (in->args[i].kind == IRV_REG && in->args[i].reg == from)
			in->args[i].reg = to;
}

/* Rewrite v to live in a frame slot: reload before each use, store after
 * each definition.  Only the blocks that name v change; each is rewritten
 * in a buffer kept across spills and copied back into its own array (a
 * new one only when it outgrows it), so that a probe that spills once per
 * statement does not copy the whole function into the arena at each spill. */
static void spill_vreg(struct ra *ra, int v)
{
	struct ir_func *f = ra->f;
	int slot = ir_slot_new(ra->arena, f, 8, true);
	for (int i = 0; i < f->blocks.count; i++) {
		struct ir_block *b = f->blocks.items[i];
		if (!mentions(b, v))
			continue;
		ra->rewrite.count = 0;
		for (int j = 0; j < b->insns.count; j++) {
			struct ir_insn in = b->insns.items[j];
			int u[IR_MAX_ARGS + 3], nu = ir_uses(&in, u);
			bool used = false;
			for (int k = 0; k < nu; k++)
				used |= u[k] == v;
			if (used) {
				int t = fresh(ra);
				struct ir_insn ld = {.op = IR_LOAD, .loc = in.loc, .dst = t, .size = 8,
						     .mem = {.base = -1, .slot = slot, .off = 0}};
				push_insn(ra, ld);
				replace_use(&in, v, t);
			}
			int def = in.dst == v ? fresh(ra) : -1;
			if (def >= 0)
				in.dst = def;
			push_insn(ra, in);
			if (def >= 0) {
				struct ir_insn st = {.op = IR_STORE, .loc = in.loc, .dst = -1, .size = 8,
						     .mem = {.base = -1, .slot = slot, .off = 0},
						     .a = ir_reg(def)};
				push_insn(ra, st);
			}
		}
		if (ra->rewrite.count > b->insns.cap) {
			b->insns.cap = 2 * ra->rewrite.count;
			b->insns.items = ARENA_ARRAY(ra->arena, struct ir_insn, b->insns.cap);
		}
		memcpy(b->insns.items, ra->rewrite.items, sizeof(struct ir_insn) * (size_t)ra->rewrite.count);
		b->insns.count = ra->rewrite.count;
	}
}

/* ---- sharing spill slots ------------------------------------------------------- */

static int slot_of_spill(const struct live_items *li, const struct ir_insn *in)
{
	if (in->mem.base >= 0 || in->mem.slot < 0)
		return -1;
	return li->slot_item[in->mem.slot];
}

static int slot_uses(const struct live_items *li, const struct ir_insn *in, int *out)
{
	int item = in->op == IR_LOAD ? slot_of_spill(li, in) : -1;
	if (item < 0)
		return 0;
	out[0] = item;
	return 1;
}

static int slot_def(const struct live_items *li, const struct ir_insn *in)
{
	return in->op == IR_STORE ? slot_of_spill(li, in) : -1; /* always all 8 bytes */
}

/* Hull intervals of the n spill slots, as build_intervals() makes them for vregs. */
static struct interval *slot_intervals(struct arena *scratch, const struct ir_func *f,
				       const struct live_items *li, int n)
{
	int nb = f->blocks.count;
	struct liveness lv;
	liveness(scratch, f, li, &lv);
	struct interval *iv = xcalloc((size_t)n + 1, sizeof(*iv));
	for (int v = 0; v < n; v++)
		iv[v] = (struct interval){.vreg = v, .start = -1, .end = -1};
	for (int i = 0, k = 0; i < nb; i++) {
		const struct ir_block *b = f->blocks.items[i];
		int first = 2 * k, last = 2 * (k + b->insns.count) - 1;
		for (int x = 0; x < lv.in[i].n; x++)
			extend(&iv[lv.in[i].items[x]], first);
		for (int x = 0; x < lv.out[i].n; x++)
			extend(&iv[lv.out[i].items[x]], last);
		for (int j = 0; j < b->insns.count; j++, k++) {
			int u[1], d = slot_def(li, &b->insns.items[j]);
			if (slot_uses(li, &b->insns.items[j], u))
				extend(&iv[u[0]], 2 * k);
			if (d >= 0)
				extend(&iv[d], 2 * k + 1);
		}
	}
	return iv;
}

/* Every spill makes a slot of its own, so a long probe that spills a
 * little in each statement would run out of its 512 bytes of stack; two
 * spill slots whose values are never live at once can be the same 8
 * bytes.  Slots are packed greedily by start, below the frame lowering
 * uses; the slots merged away are left with size 0 and no instruction. */
static void share_spill_slots(struct arena *scratch, struct ir_func *f)
{
	int nslots = f->slots.count, n = 0;
	int *slot_item = xcalloc((size_t)nslots, sizeof(int)), *item_slot = xcalloc((size_t)nslots, sizeof(int));
	uint32_t base = 0; /* bytes of frame that lowering's slots take */
	for (int i = 0; i < nslots; i++) {
		const struct ir_slot *sl = &f->slots.items[i];
		slot_item[i] = sl->spill ? n++ : -1;
		if (sl->spill)
			item_slot[n - 1] = i;
		else if (sl->size && (uint32_t)-sl->offset > base)
			base = (uint32_t)-sl->offset;
	}
	struct live_items li = {slot_uses, slot_def, slot_item, n};
	struct interval *iv = slot_intervals(scratch, f, &li, n);
	struct interval **order = xcalloc((size_t)n + 1, sizeof(*order));
	int *shared_end = xcalloc((size_t)n + 1, sizeof(int)), *shared_of = xcalloc((size_t)n + 1, sizeof(int));
	int *rep = xcalloc((size_t)n + 1, sizeof(int)); /* shared slot -> the slot index it keeps */
	int norder = 0, nshared = 0;
	for (int v = 0; v < n; v++)
		if (iv[v].start >= 0)
			order[norder++] = &iv[v];
	qsort(order, (size_t)norder, sizeof(*order), by_start);
	for (int i = 0; i < norder; i++) {
		int c = 0, item = order[i]->vreg;
		while (c < nshared && shared_end[c] >= order[i]->start)
			c++;
		if (c == nshared) {
			rep[nshared++] = item_slot[item];
			f->slots.items[item_slot[item]].offset = -(int32_t)(base + 8 * (uint32_t)nshared);
		}
		shared_end[c] = order[i]->end;
		shared_of[item] = c;
	}
	for (int i = 0; i < f->blocks.count; i++) {
		struct ir_block *b = f->blocks.items[i];
		for (int j = 0; j < b->insns.count; j++) {
			struct ir_insn *in = &b->insns.items[j];
			int item = slot_of_spill(&li, in);
			if (item >= 0 && (in->op == IR_LOAD || in->op == IR_STORE))
				in->mem.slot = rep[shared_of[item]];
		}
	}
	for (int v = 0; v < n; v++)
		if (iv[v].start < 0 || rep[shared_of[v]] != item_slot[v])
			f->slots.items[item_slot[v]].spill = false, f->slots.items[item_slot[v]].size = 0;
	f->frame_size = f->frame_max = base + 8 * (uint32_t)nshared;
	free(iv);
	free(order);
	free(shared_end);
	free(shared_of);
	free(rep);
	free(slot_item);
	free(item_slot);
}

/* Each round's tables (liveness, the intervals' order, the calls) come
 * from the scratch arena, emptied at the start of the next round: one
 * memory, huge pages for a long probe, reused by every round and every
 * probe, where each table was malloc'ed, mapped fresh page by page and
 * given back (two thirds of a long probe's page faults). */
int regalloc(struct arena *a, struct arena *scratch, struct ir_func *f, uint32_t frame_limit)
{
	struct ra ra = {.arena = a, .scratch = scratch, .f = f};
	reserve_vregs(&ra);
	int rc = 0;
	for (;;) {
		int ninsns = 0;
		for (int i = 0; i < f->blocks.count; i++)
			ninsns += f->blocks.items[i]->insns.count;
		arena_reset(scratch);
		ra.call_pos = ARENA_ARRAY(scratch, int, ninsns + 1);
		ra.iv = ARENA_ARRAY(scratch, struct interval, f->nvregs + 1);
		build_intervals(&ra);
		int spill = linear_scan(&ra);
		if (spill < 0)
			break;
		if (f->frame_size + 8 > frame_limit)
			share_spill_slots(scratch, f);
		if (ra.no_spill[spill] || f->frame_size + 8 > frame_limit) {
			rc = -1;
			break;
		}
		spill_vreg(&ra, spill);
	}
	if (f->frame_size > frame_limit) /* lowering's own slots, with no spill at all */
		rc = -1;
	f->reg_of = arena_alloc(a, (size_t)f->nvregs + 1);
	memcpy(f->reg_of, ra.reg_of, (size_t)f->nvregs + 1);
	free(ra.no_spill);
	free(ra.reg_of);
	free(ra.rewrite.items);
	return rc;
}

/* Does f name subprogram k of its program (FUNCADDR)? */
static bool names_subprog(const struct ir_func *f, int k)
{
	for (int i = 0; i < f->blocks.count; i++)
		for (int j = 0; j < f->blocks.items[i]->insns.count; j++) {
			const struct ir_insn *in = &f->blocks.items[i]->insns.items[j];
			if (in->op == IR_FUNCADDR && in->imm == k)
				return true;
		}
	return false;
}

/* Function `at` of a program: 0 the program's own, k + 1 its subprogram k. */
static const struct ir_func *function_at(const struct ir_func *prog, int at)
{
	return at ? prog->subprogs.items[at - 1] : prog;
}

/* How many callbacks deep the calls from function `at` go (0: none). */
static int levels_below(const struct ir_func *prog, int at, int limit)
{
	int deepest = 0;
	for (int k = 0; k < prog->subprogs.count && limit > 0; k++)
		if (names_subprog(function_at(prog, at), k)) {
			int d = 1 + levels_below(prog, k + 1, limit - 1);
			deepest = d > deepest ? d : deepest;
		}
	return deepest;
}

/* The kernel counts the stacks of a chain of calls together: 512 bytes,
 * each function's rounded up to 32 (ir_stack_depth).  A loop's callback is
 * made before the callbacks of the loops in its body, so the functions go
 * in order: each gets 512 less its deepest chain of callers' stacks
 * (allocated already), less 32 for each level of callbacks it calls in turn
 * (allocated after it).  len()'s callback, which any function may name
 * whatever their order, has no frame: 32 is always its share. */
int regalloc_program(struct arena *a, struct arena *scratch, struct ir_func *f,
		     struct ir_func **failed, uint32_t *limit)
{
	enum { STACK = 512, MIN_DEPTH = 32 };
	int n = f->subprogs.count + 1;
	uint32_t *above = calloc((size_t)n, sizeof(*above)); /* the callers' chain, per function */
	if (!above)
		abort();
	int rc = 0;
	for (int at = 0; at < n && rc == 0; at++) {
		struct ir_func *g = (struct ir_func *)function_at(f, at);
		uint32_t reserved = above[at] + MIN_DEPTH * (uint32_t)levels_below(f, at, n);
		*failed = g;
		*limit = reserved < STACK ? STACK - reserved : 0;
		rc = regalloc(a, scratch, g, *limit);
		for (int k = 0; k < f->subprogs.count && rc == 0; k++)
			if (names_subprog(g, k) && above[at] + ir_stack_depth(g) > above[k + 1])
				above[k + 1] = above[at] + ir_stack_depth(g);
	}
	free(above);
	return rc;
}
