/* aggregate.c - aggregations: count(), sum(x), avg(x), min(x), max(x),
 * stats(x), hist(x), lhist(x, min, max, step).
 *
 * An aggregation is only ever the value given to a map (`@m[k] = hist(x)`).
 * Its map is per CPU, so a hit is a plain read-modify-write of this CPU's
 * value, with no atomics and no race, and user space combines the CPUs
 * exactly.  Each CPU's value:
 *
 *   count, sum        u64 / s64: the running total
 *   avg, stats        {u64 count, s64 total}: one lookup updates both
 *   min, max          {s64 value, u64 seen}: seen tells a CPU that never
 *                     saw a value (zeroed when another CPU made the entry)
 *   hist, lhist       u64: how many values fell in one bucket; the bucket
 *                     is the last u64 of the key (a key-less histogram is
 *                     an array indexed by bucket, so its lookup never misses)
 *
 * hist's buckets are bpftrace's: 0 for negative values, 1 for 0, and
 * 2 + floor(log2 v) for v >= 1.  lhist's: 0 below min, 1 + (v - min) / step
 * up to max, and the last one from max up.
 */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <inttypes.h>
#include <string.h>

#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* ---- checking ------------------------------------------------------------------ */

/* The aggregation a call names, of one integer argument. */
static const struct eq_type *check_of_value(struct sema *s, struct ast *call, enum agg_kind agg)
{
	struct ast *a = call->list.items[0];
	const struct eq_type *t = sema_expr(s, a);
	if (!ty_is_number(t) && t->kind != TY_NONE)
		sema_error(s, a->loc, "%s() takes an integer, not %s", call->name, sema_type_name(s, t));
	/* sum, min and max keep their values' signedness, as bpftrace does; an
	 * average, statistics and buckets are signed */
	bool keeps_sign = agg == AGG_SUM || agg == AGG_MIN || agg == AGG_MAX;
	return ty_agg(s->arena, agg, keeps_sign ? t->kind != TY_INT || t->is_signed : true);
}

enum { LHIST_MAX_BUCKETS = 1000 }; /* bpftrace's limit */

/* lhist(x, min, max, step): the range and step are constants, checked here
 * with the user's numbers.  Unlike bpftrace, min may be negative. */
static const struct eq_type *check_lhist(struct sema *s, struct ast *call)
{
	static const char *const what[] = {NULL, "the lowest value (min)", "the highest value (max)",
					   "the bucket width (step)"};
	const struct eq_type *t = check_of_value(s, call, AGG_LHIST);
	int64_t v[4] = {0};
	bool ok = true;
	for (int i = 1; i < 4; i++) {
		struct ast *a = call->list.items[i];
		if (!sema_const_int(s, a, &v[i])) {
			sema_error(s, a->loc, "lhist()'s %s must be a constant number", what[i]);
			ok = false;
		}
	}
	if (!ok)
		return t;
	struct ast *max = call->list.items[2], *step = call->list.items[3];
	if (v[3] < 1)
		sema_error(s, step->loc, "lhist()'s step must be at least 1, not %" PRId64, v[3]);
	else if (v[1] >= v[2])
		sema_error(s, max->loc, "lhist()'s max (%" PRId64 ") must be greater than its min (%" PRId64 ")",
			   v[2], v[1]);
	else if ((uint64_t)v[2] - (uint64_t)v[1] < (uint64_t)v[3])
		sema_error(s, step->loc, "lhist()'s step (%" PRId64 ") is wider than the range %" PRId64
			   "..%" PRId64, v[3], v[1], v[2]);
	else if (((uint64_t)v[2] - (uint64_t)v[1]) / (uint64_t)v[3] > LHIST_MAX_BUCKETS)
		sema_error(s, step->loc, "lhist() would have %" PRIu64 " buckets, at most %d are allowed: "
			   "use a wider step", ((uint64_t)v[2] - (uint64_t)v[1]) / (uint64_t)v[3],
			   LHIST_MAX_BUCKETS);
	else
		return ty_new(s->arena, (struct eq_type){.kind = TY_AGG, .size = 8, .agg = AGG_LHIST,
			.is_signed = true, .lhist_min = v[1], .lhist_max = v[2], .lhist_step = v[3]});
	return &ty_none;
}

/* count(), sum(x) ... lhist(x, min, max, step): which one is its name. */
static const struct eq_type *check_aggregate(struct sema *s, struct ast *call)
{
	enum agg_kind agg = AGG_COUNT;
	while (agg < AGG_LHIST && strcmp(agg_name(agg), call->name))
		agg++;
	if (agg == AGG_COUNT)
		return ty_agg(s->arena, AGG_COUNT, false);
	if (agg == AGG_LHIST)
		return check_lhist(s, call);
	return check_of_value(s, call, agg);
}

/* ---- buckets ----------------------------------------------------------------------- */

static int64_t agg_hist_bucket(int64_t v)
{
	if (v < 0)
		return 0;
	int64_t b = 1;
	for (uint64_t x = (uint64_t)v; x; x >>= 1)
		b++;
	return b;
}

static int64_t agg_lhist_bucket(const struct eq_type *t, int64_t v)
{
	if (v < t->lhist_min)
		return 0;
	uint64_t nbuckets = ((uint64_t)t->lhist_max - (uint64_t)t->lhist_min) / (uint64_t)t->lhist_step;
	if (v >= t->lhist_max)
		return (int64_t)nbuckets + 1;
	return (int64_t)(((uint64_t)v - (uint64_t)t->lhist_min) / (uint64_t)t->lhist_step) + 1;
}

/* d = d op b, in place (the IR is not SSA). */
static void update_vreg(struct lower *L, enum ir_op op, int d, struct ir_val b, eq_loc loc)
{
	b = lower_fit_imm(L, b, loc); /* lhist's min may be any 64-bit number */
	struct ir_insn *in = lower_emit(L, op, loc);
	in->dst = d, in->a = ir_reg(d), in->b = b;
}

/* hist's bucket: a binary search for the highest bit set, six
 * compare-and-shift steps for 64 bits. */
static struct ir_val hist_bucket(struct lower *L, struct ir_val v, eq_loc loc)
{
	if (v.kind == IRV_IMM)
		return ir_imm(agg_hist_bucket(v.imm));
	/* d = 0 for v < 0, 1 for 0, else 2 + the highest bit's number: each
	 * answer is d's value where its test leaves (no jumps around them) */
	int d = ir_vreg_new(L->f), x = ir_vreg_new(L->f);
	struct ir_block *not_neg = lower_block(L), *pos = lower_block(L), *join = lower_block(L);
	lower_mov(L, d, ir_imm(0), loc);
	lower_branch(L, IRC_SLT, v, ir_imm(0), join, not_neg, loc);
	lower_place(L, not_neg);
	lower_mov(L, d, ir_imm(1), loc);
	lower_branch(L, IRC_EQ, v, ir_imm(0), join, pos, loc);
	lower_place(L, pos);
	lower_mov(L, x, v, loc);
	lower_mov(L, d, ir_imm(2), loc);
	for (int shift = 32; shift >= 1; shift /= 2) {
		struct ir_block *step = lower_block(L), *next = lower_block(L);
		lower_branch(L, IRC_UGE, ir_reg(x), ir_imm((int64_t)1 << shift), step, next, loc);
		lower_place(L, step);
		if (shift > 1) /* after the last step x is not read */
			update_vreg(L, IR_SHR, x, ir_imm(shift), loc);
		update_vreg(L, IR_ADD, d, ir_imm(shift), loc);
		lower_jump(L, next, loc);
		lower_place(L, next);
	}
	lower_jump(L, join, loc);
	lower_place(L, join);
	return ir_reg(d);
}

static bool is_power_of_two(int64_t n)
{
	return n > 0 && !(n & (n - 1));
}

static struct ir_val lhist_bucket(struct lower *L, const struct eq_type *t, struct ir_val v, eq_loc loc)
{
	if (v.kind == IRV_IMM)
		return ir_imm(agg_lhist_bucket(t, v.imm));
	/* d = 0 below min, the last bucket from max, else 1 + (v - min) / step */
	int d = ir_vreg_new(L->f);
	struct ir_block *not_below = lower_block(L), *inside = lower_block(L), *join = lower_block(L);
	lower_mov(L, d, ir_imm(0), loc);
	lower_branch(L, IRC_SLT, v, ir_imm(t->lhist_min), join, not_below, loc);
	lower_place(L, not_below);
	lower_mov(L, d, ir_imm(agg_lhist_bucket(t, t->lhist_max)), loc);
	lower_branch(L, IRC_SGE, v, ir_imm(t->lhist_max), join, inside, loc);
	lower_place(L, inside);
	lower_mov(L, d, v, loc);
	if (t->lhist_min)
		update_vreg(L, IR_SUB, d, ir_imm(t->lhist_min), loc);
	if (is_power_of_two(t->lhist_step)) {
		int shift = 0;
		while ((int64_t)1 << shift < t->lhist_step)
			shift++;
		if (shift)
			update_vreg(L, IR_SHR, d, ir_imm(shift), loc);
	} else {
		update_vreg(L, IR_UDIV, d, ir_imm(t->lhist_step), loc);
	}
	update_vreg(L, IR_ADD, d, ir_imm(1), loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
	return ir_reg(d);
}

/* ---- updating ------------------------------------------------------------------------ */

/* *(u64 *)(p + off) += v on this CPU's value. */
static void add_at(struct lower *L, int p, int32_t off, struct ir_val v, eq_loc loc)
{
	int cur = lower_load(L, p, off, 8, false, loc);
	lower_store_at(L, p, off, 8, ir_reg(lower_binop(L, IR_ADD, ir_reg(cur), v, loc)), loc);
}

/* min/max: keep v if this CPU has seen nothing yet or v beats its value. */
static void keep_extreme(struct lower *L, int p, struct ir_val v, enum agg_kind agg, bool is_signed,
			 struct ir_block *join, eq_loc loc)
{
	struct ir_block *seen = lower_block(L), *take = lower_block(L);
	int flag = lower_load(L, p, 8, 8, false, loc);
	lower_branch(L, IRC_EQ, ir_reg(flag), ir_imm(0), take, seen, loc);
	lower_place(L, seen);
	int cur = lower_load(L, p, 0, 8, false, loc);
	enum ir_cond beats = agg == AGG_MIN ? (is_signed ? IRC_SLT : IRC_ULT)
					     : (is_signed ? IRC_SGT : IRC_UGT);
	lower_branch(L, beats, v, ir_reg(cur), take, join, loc);
	lower_place(L, take);
	lower_store_at(L, p, 0, 8, v, loc);
	lower_store_at(L, p, 8, 8, ir_imm(1), loc);
}

/* The value a new entry starts with on this CPU, into a frame slot. */
static int first_value(struct lower *L, enum agg_kind agg, struct ir_val v, eq_loc loc)
{
	int slot = lower_slot(L, agg == AGG_AVG || agg == AGG_STATS || agg == AGG_MIN ||
			       agg == AGG_MAX ? 16 : 8);
	switch (agg) {
	case AGG_AVG: case AGG_STATS:
		lower_store(L, slot, 0, 8, ir_imm(1), loc);
		lower_store(L, slot, 8, 8, v, loc);
		break;
	case AGG_MIN: case AGG_MAX:
		lower_store(L, slot, 0, 8, v, loc);
		lower_store(L, slot, 8, 8, ir_imm(1), loc);
		break;
	default:
		lower_store(L, slot, 0, 8, v, loc);
	}
	return slot;
}

/* The key of a histogram's entry: the user's key and then the bucket (a
 * key-less histogram's key is the bucket alone, a u32 array index). */
static int bucket_key(struct lower *L, const struct ast *m, struct ir_val bucket)
{
	const struct sema_map *sm = lower_map_info(L, m);
	if (sm->nkeys == 0) {
		int slot = lower_slot(L, 8);
		lower_store(L, slot, 0, 8, bucket, m->loc);
		return slot;
	}
	int slot = lower_key_sized(L, m, sm->key_size + 8);
	lower_store(L, slot, (int32_t)sm->key_size, 8, bucket, m->loc);
	return slot;
}

/* @m[k] = AGG(v): update this CPU's value of the entry, or create it. */
static void lower_aggregate(struct lower *L, const struct ast *m, const struct ast *call)
{
	const struct eq_type *t = call->type;
	enum agg_kind agg = t->agg;
	eq_loc loc = m->loc;
	/* the value first: a histogram's key holds its bucket, and a value read
	 * from the context need not keep the context alive across the key's calls */
	struct ir_val v = call->list.count ? lower_int(L, call->list.items[0]) : ir_imm(1);
	int key;
	if (agg == AGG_HIST || agg == AGG_LHIST) {
		struct ir_val b = agg == AGG_HIST ? hist_bucket(L, v, loc) : lhist_bucket(L, t, v, loc);
		key = bucket_key(L, m, b);
		v = ir_imm(1);
	} else {
		key = lower_key(L, m);
	}
	struct ir_block *hit = lower_block(L), *miss = lower_block(L), *join = lower_block(L);
	int p = lower_lookup(L, m, key, hit, miss);
	lower_place(L, hit);
	switch (agg) {
	case AGG_AVG: case AGG_STATS:
		add_at(L, p, 0, ir_imm(1), loc);
		add_at(L, p, 8, v, loc);
		break;
	case AGG_MIN: case AGG_MAX: /* compared as the map is printed and read: with the
				       signedness of its first call, whatever this one's */
		keep_extreme(L, p, v, agg, lower_map_info(L, m)->value.is_signed, join, loc);
		break;
	default:
		add_at(L, p, 0, v, loc);
	}
	lower_jump(L, join, loc);
	lower_place(L, miss);
	if (!lower_map_is_array(L, m)) /* an array's lookup never misses */
		lower_update(L, m->sema_id, key, first_value(L, agg, v, loc), loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
}

/* ---- reading -------------------------------------------------------------------------- */

/* Where the key of a read is: a frame slot, or the address in a vreg. */
struct read_key {
	int slot, addr;
};

/* An entry of aggregation map `map` read in a program: every CPU's value
 * of the entry, combined as user space combines them.  A bounded loop over
 * the possible CPUs with map_lookup_percpu_elem; a CPU past the last has
 * no value, which ends it. */
static struct ir_val read_over_cpus(struct lower *L, int map_index, struct read_key key, eq_loc loc)
{
	const struct eq_type *t = &L->env->info->maps.items[map_index].value;
	int acc = ir_vreg_new(L->f), total = ir_vreg_new(L->f), cpu = ir_vreg_new(L->f);
	lower_mov(L, acc, ir_imm(0), loc);
	lower_mov(L, total, ir_imm(0), loc);
	lower_mov(L, cpu, ir_imm(0), loc);
	struct ir_block *loop = lower_block(L), *found = lower_block(L), *next = lower_block(L),
			*done = lower_block(L);
	lower_jump(L, loop, loc);
	lower_place(L, loop);
	int map = lower_map_addr(L, map_index, loc);
	int kaddr = key.slot >= 0 ? lower_frame_addr(L, key.slot, 0, loc) : key.addr;
	int p = lower_call(L, BPF_FUNC_map_lookup_percpu_elem, loc, 3, ir_reg(map), ir_reg(kaddr),
			   ir_reg(cpu));
	lower_branch(L, IRC_EQ, ir_reg(p), ir_imm(0), done, found, loc);
	lower_place(L, found);
	int a = lower_load(L, p, 0, 8, false, loc);
	switch (t->agg) {
	case AGG_AVG: /* acc counts, total adds */
		update_vreg(L, IR_ADD, acc, ir_reg(a), loc);
		update_vreg(L, IR_ADD, total, ir_reg(lower_load(L, p, 8, 8, false, loc)), loc);
		break;
	case AGG_MIN: case AGG_MAX: { /* total says whether acc holds a value yet */
		struct ir_block *seen = lower_block(L), *check = lower_block(L), *take = lower_block(L);
		int has = lower_load(L, p, 8, 8, false, loc);
		lower_branch(L, IRC_EQ, ir_reg(has), ir_imm(0), next, seen, loc);
		lower_place(L, seen);
		lower_branch(L, IRC_EQ, ir_reg(total), ir_imm(0), take, check, loc);
		lower_place(L, check);
		enum ir_cond beats = t->agg == AGG_MIN ? (t->is_signed ? IRC_SLT : IRC_ULT)
						       : (t->is_signed ? IRC_SGT : IRC_UGT);
		lower_branch(L, beats, ir_reg(a), ir_reg(acc), take, next, loc);
		lower_place(L, take);
		lower_mov(L, acc, ir_reg(a), loc);
		lower_mov(L, total, ir_imm(1), loc);
		break;
	}
	default: /* count, sum */
		update_vreg(L, IR_ADD, acc, ir_reg(a), loc);
	}
	lower_jump(L, next, loc);
	lower_place(L, next);
	update_vreg(L, IR_ADD, cpu, ir_imm(1), loc);
	lower_branch(L, IRC_ULT, ir_reg(cpu), ir_imm(L->env->ncpus), loop, done, loc);
	lower_place(L, done);
	if (t->agg != AGG_AVG)
		return ir_reg(acc);
	/* the average of what was counted; 0 for nothing, as bpftrace prints it:
	 * BPF's division by zero gives 0, so no test for it */
	return ir_reg(lower_binop(L, IR_SDIV, ir_reg(total), ir_reg(acc), loc));
}

/* @m[k] in a program */
static struct ir_val lower_read(struct lower *L, const struct ast *m)
{
	return read_over_cpus(L, m->sema_id, (struct read_key){lower_key(L, m), -1}, m->loc);
}

/* a for-map loop's entry: the key is the callback's */
static struct ir_val lower_read_at(struct lower *L, int map, int key_addr, eq_loc loc)
{
	return read_over_cpus(L, map, (struct read_key){-1, key_addr}, loc);
}

#define AGG(n, nargs, read, read_at) \
	{.name = n, .kind = BUILTIN_CALL, .use = USE_MAP_VALUE, .min_args = nargs, .max_args = nargs, \
	 .check = check_aggregate, .lower_update = lower_aggregate, .lower_read = read, .lower_read_at = read_at}

const struct builtin builtins_aggregate[] = {
	AGG("count", 0, lower_read, lower_read_at),
	AGG("sum", 1, lower_read, lower_read_at),
	AGG("avg", 1, lower_read, lower_read_at),
	AGG("min", 1, lower_read, lower_read_at),
	AGG("max", 1, lower_read, lower_read_at),
	AGG("stats", 1, NULL, NULL),
	AGG("hist", 1, NULL, NULL),
	AGG("lhist", 4, NULL, NULL),
	{0},
};
