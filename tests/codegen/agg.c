/* agg.c - aggregation maps in generated programs, and what they print.
 *
 * A program has a few aggregation maps, each of one kind (count, sum,
 * avg, min, max, stats, hist, lhist), key-less or keyed by one to three
 * parts (integers: small and colliding, or any value; strings), updated
 * with values from random expressions, read inside expressions
 * (count/sum/avg/min/max: every CPU's value combined, which BEGIN and END,
 * running on one CPU, make the value of that CPU) and printed at exit.
 * The rules modelled, from compiler/builtins/aggregate.c and
 * runtime/format_map.c, format_hist.c and map_view.c (bpftrace 0.17's):
 *  - sum, min and max are signed as their first argument is; count is
 *    unsigned; avg (total / count, truncated; 0 for none) and stats are
 *    signed; a missing entry reads 0;
 *  - hist's bucket is 0 for a negative value, 1 for 0, 2 + floor(log2 v)
 *    for v >= 1; lhist's is 0 below min, 1 + (v - min) / step up to max,
 *    and the last one from max up;
 *  - at exit, two newlines and then every map in name order; entries
 *    sorted by value (count, sum, min, max; the average for avg and stats;
 *    the total count for histograms), unsigned where the value is, equal
 *    values by key (integer parts as unsigned 64-bit, strings as strings);
 *    a map ends with "\n", an average's or statistics' with "\n\n"; a
 *    key-less map nothing reached (a sum that is 0) shows no entry;
 *  - histogram rows from the first to the last non-empty bucket: a
 *    16-wide label, an 8-wide count and a 52-wide bar scaled to the
 *    largest bucket in float, truncated.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static const char *const kind_name[] = {"count", "sum", "avg", "min", "max", "stats", "hist",
					"lhist"};

/* Strings for keys: as written in the program, and as printed. */
static const struct {
	const char *src, *printed;
} strs[] = {
	{"", ""}, {"a", "a"}, {"ab", "ab"}, {"b", "b"}, {"B", "B"}, {"a b", "a b"}, {"zz", "zz"},
	{"q\\\"t", "q\"t"}, {"tab\\there", "tab\there"}, {"0", "0"},
	{"a key of thirty-one characters.", "a key of thirty-one characters."},
};
enum { NSTRS = sizeof(strs) / sizeof(strs[0]), STR_KEY_BYTES = 32 };

static bool readable(const struct agg_map *m)
{
	return m->kind <= A_MAX;
}

static bool is_hist(const struct agg_map *m)
{
	return m->kind == A_HIST || m->kind == A_LHIST;
}

static int nbuckets(const struct agg_map *m)
{
	if (m->kind == A_HIST)
		return 65;
	return (int)(((uint64_t)m->lhist_max - (uint64_t)m->lhist_min) / (uint64_t)m->lhist_step) + 2;
}

/* Stack bytes one access's key takes, about: reads and updates in one
 * statement each have their own. */
static int key_bytes(const struct agg_map *m)
{
	int n = is_hist(m) ? 8 : 0;
	for (int p = 0; p < m->nkeys; p++)
		n += m->key_is_str[p] ? STR_KEY_BYTES : 8;
	return n ? n : 8;
}

/* ---- the maps of a program -------------------------------------------------- */

/* lhist's constants: small ranges, negative ones, edges that print as K
 * and M, and ranges near 2^62; now and then max - min is no multiple of
 * step (values from the last whole bucket up go to the last row). */
static void lhist_choose(struct gen *g, struct agg_map *m)
{
	int64_t min, step;
	int n = chance(g, 10) ? 100 + below(g, 900) : 1 + below(g, 20);
	switch (below(g, 5)) {
	case 0:
		min = 0, step = 1 + below(g, 5);
		break;
	case 1:
		min = -below(g, 50), step = 1 + below(g, 10);
		break;
	case 2:
		min = 1024 * (below(g, 9) - 4), step = 1024 * (1 + below(g, 4));
		break;
	case 3:
		min = -(int64_t)below(g, 3) * 1048576, step = (int64_t)1 << (19 + below(g, 2));
		break;
	default:
		min = -((int64_t)1 << 62), step = (int64_t)1 << (56 + below(g, 2)), n = 1 + below(g, 40);
	}
	m->lhist_min = min;
	m->lhist_step = step;
	m->lhist_max = min + step * n;
	if (step > 1 && chance(g, 20))
		m->lhist_max += 1 + below(g, (int)(step - 1 < 1000 ? step - 1 : 1000));
}

void aggs_choose(struct gen *g)
{
	g->naggs = 2 + below(g, NAGGS_MAX - 1);
	for (int i = 0; i < g->naggs; i++) {
		struct agg_map *m = &g->aggs[i];
		m->kind = (enum agg_kind)below(g, A_NKINDS);
		int shape = below(g, 100);
		m->nkeys = shape < 30 ? 0 : shape < 75 ? 1 : shape < 93 ? 2 : 3;
		for (int p = 0, nstr = 0; p < m->nkeys; p++)
			if (nstr < 2 && chance(g, 30))
				m->key_is_str[p] = true, nstr++;
		if (m->kind == A_LHIST)
			lhist_choose(g, m);
		/* the anonymous map `@` now and then: its name sorts first */
		if (i == 0 && chance(g, 10))
			snprintf(m->name, sizeof(m->name), "@");
		else
			snprintf(m->name, sizeof(m->name), "@%s%d", kind_name[m->kind], i);
	}
}

void aggs_free(struct gen *g)
{
	for (int i = 0; i < g->naggs; i++)
		for (int e = 0; e < g->aggs[i].n; e++)
			free(g->aggs[i].entries[e].buckets);
}

/* ---- keys --------------------------------------------------------------------- */

static int key_compare(const struct agg_map *m, const struct agg_key *a, const struct agg_key *b)
{
	for (int p = 0; p < m->nkeys; p++) {
		int c = m->key_is_str[p] ? strcmp(a->strs[p], b->strs[p])
					  : (a->ints[p] > b->ints[p]) - (a->ints[p] < b->ints[p]);
		if (c)
			return c;
	}
	return 0;
}

static struct agg_entry *entry_find(struct agg_map *m, const struct agg_key *k, bool create)
{
	for (int i = 0; i < m->n; i++)
		if (!key_compare(m, &m->entries[i].key, k))
			return &m->entries[i];
	if (!create)
		return NULL;
	if (m->n == AGG_ENTRIES_MAX)
		abort(); /* far more than a program's statements can make */
	struct agg_entry *e = &m->entries[m->n++];
	*e = (struct agg_entry){.key = *k};
	if (is_hist(m) && !(e->buckets = calloc((size_t)nbuckets(m), sizeof(uint64_t))))
		abort();
	return e;
}

/* A string key part: a literal, or `?:` between two. */
static const char *str_part(struct gen *g, struct text *t)
{
	int a = below(g, NSTRS);
	if (g->branches_left <= 0 || !chance(g, 25)) {
		put(t, "\"%s\"", strs[a].src);
		return strs[a].printed;
	}
	g->branches_left--;
	int b = below(g, NSTRS);
	put(t, "((");
	struct value c = expr(g, t, 1);
	put(t, ") ? \"%s\" : \"%s\")", strs[a].src, strs[b].src);
	return c.v ? strs[a].printed : strs[b].printed;
}

/* An integer key part: small ones that collide, and any value. */
static struct value int_part(struct gen *g, struct text *t)
{
	int pick = below(g, 100);
	if (pick < 45) {
		uint64_t k = (uint64_t)below(g, 4);
		put(t, "%" PRIu64, k);
		return val(k, true);
	}
	if (pick < 65)
		return small_key(g, t);
	if (pick < 80)
		return literal(g, t, interesting(g));
	return expr(g, t, 1 + below(g, 2));
}

/* A part the key `again` has, written again (for reads and deletes). */
static void part_again(struct gen *g, const struct agg_map *m, int p, struct text *t,
		       const struct agg_key *again)
{
	if (!m->key_is_str[p]) {
		literal(g, t, again->ints[p]);
		return;
	}
	for (int i = 0; i < NSTRS; i++)
		if (strs[i].printed == again->strs[p])
			put(t, "\"%s\"", strs[i].src);
}

/* `[k1, k2]`: new parts, as the map's first use types them, or those of
 * `again`; nothing for a key-less map. */
static void key_write(struct gen *g, struct agg_map *m, struct text *t, struct agg_key *k,
		      const struct agg_key *again)
{
	*k = again ? *again : (struct agg_key){0};
	if (!m->nkeys)
		return;
	put(t, "[");
	for (int p = 0; p < m->nkeys; p++) {
		if (p)
			put(t, ", ");
		if (again) {
			part_again(g, m, p, t, again);
		} else if (m->key_is_str[p]) {
			k->strs[p] = str_part(g, t);
		} else {
			struct value v = int_part(g, t);
			k->ints[p] = v.v;
			if (!m->assigned)
				m->key_signed[p] = v.is_signed;
		}
	}
	put(t, "]");
}

/* Mostly the key of an entry there is; else any key. */
static void key_any(struct gen *g, struct agg_map *m, struct text *t, struct agg_key *k)
{
	key_write(g, m, t, k, m->n && chance(g, 70) ? &m->entries[below(g, m->n)].key : NULL);
}

/* ---- updates -------------------------------------------------------------------- */

static int hist_bucket(int64_t v)
{
	if (v < 0)
		return 0;
	int b = 1;
	for (uint64_t x = (uint64_t)v; x; x >>= 1)
		b++;
	return b;
}

static int lhist_bucket(const struct agg_map *m, int64_t v)
{
	if (v < m->lhist_min)
		return 0;
	if (v >= m->lhist_max)
		return nbuckets(m) - 1;
	return 1 + (int)(((uint64_t)v - (uint64_t)m->lhist_min) / (uint64_t)m->lhist_step);
}

/* (e) OP literal */
static struct value with_literal(struct gen *g, struct text *t, struct value e, enum binop op, uint64_t lit)
{
	put(t, ") %s ", op == B_AND ? "&" : op == B_SHR ? ">>" : "%");
	struct value l = literal(g, t, lit);
	return binary(op, e, l);
}

/* A value for an aggregation: any expression, or one narrowed so that
 * histograms fill more than their top and bottom rows; for lhist, mostly
 * min + e % span, around the range; or a literal, often on the edge of a
 * bucket. */
static struct value agg_arg(struct gen *g, struct agg_map *m, struct text *t, bool literal_only)
{
	int depth = 2 + g->deep / 2, pick = literal_only ? 9 : below(g, 10);
	if (m->kind == A_LHIST && pick < 7) {
		uint64_t span = (uint64_t)m->lhist_max - (uint64_t)m->lhist_min + (uint64_t)m->lhist_step;
		put(t, "(");
		struct value lo = literal(g, t, (uint64_t)m->lhist_min);
		put(t, " + (");
		struct value e = with_literal(g, t, expr(g, t, depth), B_MOD, span);
		put(t, ")");
		return binary(B_ADD, lo, e);
	}
	if (pick < 4)
		return expr(g, t, depth);
	if (pick < 8) {
		put(t, "(");
		struct value e = expr(g, t, depth);
		if (pick < 6)
			return with_literal(g, t, e, B_SHR, 1 + (uint64_t)below(g, 63));
		return with_literal(g, t, e, B_AND, ((uint64_t)1 << (1 + below(g, 62))) - 1);
	}
	if (m->kind == A_LHIST && chance(g, 70)) { /* on a bucket's edge */
		int64_t edges[] = {m->lhist_min, m->lhist_min + m->lhist_step, m->lhist_max};
		return literal(g, t, (uint64_t)(edges[below(g, 3)] + below(g, 3) - 1));
	}
	if (chance(g, 30)) { /* on a power of two's edge */
		int power = below(g, 63);
		return literal(g, t, ((uint64_t)1 << power) - (uint64_t)below(g, 2));
	}
	return literal(g, t, interesting(g));
}

static bool beats(const struct agg_map *m, uint64_t v, uint64_t cur)
{
	bool less = m->value_signed ? (int64_t)v < (int64_t)cur : v < cur;
	bool more = m->value_signed ? (int64_t)v > (int64_t)cur : v > cur;
	return m->kind == A_MIN ? less : more;
}

static void apply(struct agg_map *m, const struct agg_key *k, uint64_t v)
{
	bool fresh = !entry_find(m, k, false);
	struct agg_entry *e = entry_find(m, k, true);
	switch (m->kind) {
	case A_COUNT:
		e->count++;
		break;
	case A_AVG: case A_STATS:
		e->count++;
		/* fall through */
	case A_SUM:
		e->value += v;
		break;
	case A_MIN: case A_MAX:
		if (fresh || beats(m, v, e->value))
			e->value = v;
		break;
	case A_HIST:
		e->buckets[hist_bucket((int64_t)v)]++;
		break;
	default:
		e->buckets[lhist_bucket(m, (int64_t)v)]++;
	}
}

/* The branches an update takes on its value, which the verifier may walk
 * each way (on top of the lookup's): hist's bucket is a binary search of
 * six steps, lhist's two tests, min's and max's a comparison with the
 * value there.  A histogram's literal value has its bucket folded. */
static int value_branches(const struct agg_map *m)
{
	switch (m->kind) {
	case A_HIST:
		return 6;
	case A_LHIST: case A_MIN: case A_MAX:
		return 2;
	default:
		return 0;
	}
}

/* @m[k] = count(), sum(e), ..., lhist(e, min, max, step). */
static void update_map(struct gen *g, struct agg_map *m, bool run)
{
	struct text lhs = {0}, rhs = {0};
	struct agg_key k;
	struct value v = val(1, true);
	scope_begin(g, run, -1, -1);
	bool literal_only = is_hist(m) && g->branches_left < 1 + value_branches(m);
	g->branches_left -= 1 + (literal_only ? 0 : value_branches(m));
	g->key_bytes_left -= key_bytes(m);
	put(&lhs, "%s", m->name);
	key_write(g, m, &lhs, &k, NULL);
	put(&rhs, "%s(", kind_name[m->kind]);
	if (m->kind != A_COUNT)
		v = agg_arg(g, m, &rhs, literal_only);
	if (m->kind == A_LHIST)
		put(&rhs, ", %" PRId64 ", %" PRId64 ", %" PRId64, m->lhist_min, m->lhist_max, m->lhist_step);
	put(&rhs, ")");
	indent(g);
	put(&g->prog, "%s = %s;\n", lhs.p, rhs.p);
	if (!m->assigned)
		m->value_signed = v.is_signed; /* the first call types the map */
	m->assigned = true;
	if (run)
		apply(m, &k, v.v);
	free(lhs.p);
	free(rhs.p);
}

void agg_update(struct gen *g, bool run)
{
	update_map(g, &g->aggs[below(g, g->naggs)], run);
}

/* delete(@m[k]) of an entry; synchronous for keyed maps but histograms
 * (AVOID_DEFERRED_DELETE, gen.h). */
void agg_delete(struct gen *g, bool run)
{
	struct agg_map *m = &g->aggs[below(g, g->naggs)];
	if (!m->assigned || (AVOID_DEFERRED_DELETE && (!m->nkeys || is_hist(m)))) {
		update_map(g, m, run);
		return;
	}
	struct text key = {0};
	struct agg_key k;
	scope_begin(g, run, -1, -1);
	put(&key, "%s", "");
	key_any(g, m, &key, &k);
	indent(g);
	put(&g->prog, "delete(%s%s);\n", m->name, key.p);
	free(key.p);
	struct agg_entry *e = entry_find(m, &k, false);
	if (!run || !e)
		return;
	free(e->buckets);
	*e = m->entries[--m->n]; /* keep the entries packed */
}

/* ---- reads ------------------------------------------------------------------------- */

/* What @m[k] reads in a program: 0 where there is no entry. */
static struct value read_value(const struct agg_map *m, const struct agg_entry *e)
{
	switch (m->kind) {
	case A_COUNT:
		return val(e ? e->count : 0, false);
	case A_AVG:
		return val(e && e->count ? (uint64_t)((int64_t)e->value / (int64_t)e->count) : 0, true);
	default: /* sum, min, max */
		return val(e ? e->value : 0, m->value_signed);
	}
}

bool agg_read_expr(struct gen *g, struct text *t, struct value *out)
{
	int can[NAGGS_MAX], n = 0;
	for (int i = 0; i < g->naggs; i++)
		if (g->aggs[i].assigned && readable(&g->aggs[i]) && key_bytes(&g->aggs[i]) <= g->key_bytes_left)
			can[n++] = i;
	if (!n || g->agg_reads_left <= 0 || g->branches_left <= 0)
		return false;
	g->agg_reads_left--;
	struct agg_map *m = &g->aggs[can[below(g, n)]];
	struct agg_key k;
	/* the loop over the CPUs; min and max compare in it */
	g->branches_left -= m->kind == A_MIN || m->kind == A_MAX ? 3 : 2;
	g->key_bytes_left -= key_bytes(m);
	size_t start = t->len;
	put(t, "%s", m->name);
	key_any(g, m, t, &k);
	/* after the key, which may hold reads of its own */
	g->agg_read_text = t;
	g->agg_read_start = start;
	g->agg_read_end = t->len;
	g->agg_read_keyless = !m->nkeys;
	*out = read_value(m, entry_find(m, &k, false));
	return true;
}

static struct value read_arg(struct gen *g, struct text *t)
{
	struct value v;
	if (agg_read_expr(g, t, &v))
		return v;
	return expr(g, t, 2);
}

/* printf of aggregations' values. */
void agg_printf(struct gen *g, bool run)
{
	printf_with(g, run, 1 + below(g, 4), read_arg);
}

/* At the top level, every map updated a few times, then its values read
 * back: whatever the random statements did, each aggregation is used. */
void aggs_exercise(struct gen *g)
{
	for (int i = 0; i < g->naggs; i++)
		for (int n = 1 + below(g, 3); n > 0; n--)
			update_map(g, &g->aggs[i], true);
	for (int n = below(g, 2 * g->naggs); n > 0; n--) {
		if (chance(g, 80))
			agg_update(g, true);
		else
			agg_delete(g, true);
	}
	for (int n = 1 + below(g, 2); n > 0; n--)
		agg_printf(g, true);
}

/* ---- printed at exit ------------------------------------------------------------------ */

/* 2^power as bpftrace writes a bucket's edge: 512, 1K, 2M, 4G, 8T. */
static void power_label(char *buf, size_t size, int power)
{
	static const char *const suffix[] = {"", "K", "M", "G", "T"};
	int unit = power / 10 > 4 ? 4 : power / 10;
	snprintf(buf, size, "%" PRIu64 "%s", (uint64_t)1 << (power - 10 * unit), suffix[unit]);
}

/* An lhist edge: exact multiples of 1M and 1K shortened. */
static void edge_label(char *buf, size_t size, int64_t n)
{
	if (n && n % (1 << 20) == 0)
		snprintf(buf, size, "%" PRId64 "M", n / (1 << 20));
	else if (n && n % 1024 == 0)
		snprintf(buf, size, "%" PRId64 "K", n / 1024);
	else
		snprintf(buf, size, "%" PRId64, n);
}

static void bucket_label(const struct agg_map *m, int i, char *buf, size_t size)
{
	char a[32], b[32];
	if (m->kind == A_HIST && i <= 2) {
		snprintf(buf, size, "%s", (const char *[]){"(..., 0)", "[0]", "[1]"}[i]);
	} else if (m->kind == A_HIST) {
		power_label(a, sizeof(a), i - 2);
		power_label(b, sizeof(b), i - 1);
		snprintf(buf, size, "[%s, %s)", a, b);
	} else if (i == 0) {
		edge_label(a, sizeof(a), m->lhist_min);
		snprintf(buf, size, "(..., %s)", a);
	} else if (i == nbuckets(m) - 1) {
		edge_label(a, sizeof(a), m->lhist_max);
		snprintf(buf, size, "[%s, ...)", a);
	} else {
		edge_label(a, sizeof(a), m->lhist_min + (i - 1) * m->lhist_step);
		edge_label(b, sizeof(b), m->lhist_min + i * m->lhist_step);
		snprintf(buf, size, "[%s, %s)", a, b);
	}
}

static void hist_rows(struct text *t, const struct agg_map *m, const uint64_t *buckets)
{
	int n = nbuckets(m), first = -1, last = -1;
	uint64_t most = 0;
	for (int i = 0; i < n; i++)
		if (buckets[i]) {
			first = first < 0 ? i : first;
			last = i;
			most = buckets[i] > most ? buckets[i] : most;
		}
	for (int i = first; first >= 0 && i <= last; i++) {
		char label[96];
		int width = (int)((float)buckets[i] / (float)most * 52); /* as bpftrace: float, truncated */
		bucket_label(m, i, label, sizeof(label));
		put(t, "%-16s%8" PRIu64 " |%.*s%*s|\n", label, buckets[i], width,
		    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", 52 - width, "");
	}
}

/* What entries are sorted by: the printed number, and whether unsigned. */
static int64_t sort_number(const struct agg_map *m, const struct agg_entry *e)
{
	uint64_t total = 0;
	switch (m->kind) {
	case A_COUNT:
		return (int64_t)e->count;
	case A_AVG: case A_STATS:
		return e->count ? (int64_t)e->value / (int64_t)e->count : 0;
	case A_HIST: case A_LHIST:
		for (int i = 0; i < nbuckets(m); i++)
			total += e->buckets[i];
		return (int64_t)total;
	default:
		return (int64_t)e->value;
	}
}

static bool sorts_unsigned(const struct agg_map *m)
{
	return m->kind == A_COUNT || is_hist(m) ||
	       (!m->value_signed && (m->kind == A_SUM || m->kind == A_MIN || m->kind == A_MAX));
}

static int entry_order(const struct agg_map *m, const struct agg_entry *a, const struct agg_entry *b)
{
	int64_t x = sort_number(m, a), y = sort_number(m, b);
	if (x != y) {
		if (sorts_unsigned(m))
			return (uint64_t)x < (uint64_t)y ? -1 : 1;
		return x < y ? -1 : 1;
	}
	return key_compare(m, &a->key, &b->key);
}

/* A key-less map shows its entry once something reached it: a sum that
 * is back to 0 is not shown. */
static bool shown(const struct agg_map *m, const struct agg_entry *e)
{
	return m->nkeys || m->kind != A_SUM || e->value;
}

static void entry_text(struct text *t, const struct agg_map *m, const struct agg_entry *e)
{
	put(t, "%s", m->name);
	if (m->nkeys) {
		put(t, "[");
		for (int p = 0; p < m->nkeys; p++) {
			const char *sep = p ? ", " : "";
			if (m->key_is_str[p])
				put(t, "%s%s", sep, e->key.strs[p]);
			else if (m->key_signed[p])
				put(t, "%s%" PRId64, sep, (int64_t)e->key.ints[p]);
			else
				put(t, "%s%" PRIu64, sep, e->key.ints[p]);
		}
		put(t, "]");
	}
	put(t, is_hist(m) ? ": \n" : ": ");
	bool is_signed = m->kind != A_COUNT && (m->value_signed || m->kind == A_AVG);
	if (is_hist(m))
		hist_rows(t, m, e->buckets);
	else if (m->kind == A_STATS)
		put(t, "count %" PRId64 ", average %" PRId64 ", total %" PRId64, (int64_t)e->count,
		    sort_number(m, e), (int64_t)e->value);
	else if (m->kind == A_AVG)
		put(t, "%" PRId64, sort_number(m, e));
	else
		put(t, is_signed ? "%" PRId64 : "%" PRIu64, m->kind == A_COUNT ? e->count : e->value);
}

static void map_text(struct text *t, const struct agg_map *m)
{
	const struct agg_entry *order[AGG_ENTRIES_MAX];
	int n = 0;
	for (int i = 0; i < m->n; i++) { /* insertion sort: a few entries */
		const struct agg_entry *e = &m->entries[i];
		if (!shown(m, e))
			continue;
		int j = n++;
		for (; j > 0 && entry_order(m, order[j - 1], e) > 0; j--)
			order[j] = order[j - 1];
		order[j] = e;
	}
	for (int i = 0; i < n; i++) {
		put(t, i ? "\n" : "");
		entry_text(t, m, order[i]);
	}
	put(t, m->kind == A_AVG || m->kind == A_STATS ? "\n\n" : "\n");
}

struct named_text {
	char name[16];
	struct text text;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct named_text *)a)->name, ((const struct named_text *)b)->name);
}

/* After the program's own lines: bpftrace's two newlines, then every
 * map by name; @m0..@m2 were cleared, and print as empty lines. */
void maps_expect_exit(struct gen *g)
{
	struct named_text maps[NMAPS + NAGGS_MAX];
	int n = 0;
	for (int i = 0; i < NMAPS; i++)
		if (g->maps[i].assigned) {
			maps[n] = (struct named_text){{0}, {0}};
			snprintf(maps[n].name, sizeof(maps[n].name), "@m%d", i);
			put(&maps[n++].text, "\n");
		}
	for (int i = 0; i < g->naggs; i++)
		if (g->aggs[i].assigned) {
			maps[n] = (struct named_text){{0}, {0}};
			snprintf(maps[n].name, sizeof(maps[n].name), "%s", g->aggs[i].name);
			map_text(&maps[n++].text, &g->aggs[i]);
		}
	qsort(maps, (size_t)n, sizeof(maps[0]), by_name);
	put(&g->expect, "\n\n");
	for (int i = 0; i < n; i++) {
		put(&g->expect, "%s", maps[i].text.p);
		free(maps[i].text.p);
	}
}
