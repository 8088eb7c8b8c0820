/* gen.c - random ebpfq programs and the output they must print.
 *
 *     gen FIRST_SEED COUNT DIR
 *
 * writes DIR/SEED.ebq and DIR/SEED.expect for COUNT seeds from FIRST_SEED.
 * Each program is one `BEGIN { ... exit(); }` probe (one in ten an END
 * probe after `BEGIN { exit(); }`), run in the kernel by ebpfq with
 * BPF_PROG_TEST_RUN; the expectation comes from evaluating the same
 * program here, as it is generated, with the language's rules
 * (doc/language.md):
 *  - integers are 64-bit; an operation is signed when both operands are
 *    signed; literals are signed unless larger than INT64_MAX; comparisons,
 *    `!`, `&&` and `||` give a signed 0/1; unary `-` and `~` keep the type;
 *  - x / 0 = 0, x % 0 = x, INT64_MIN / -1 = INT64_MIN, INT64_MIN % -1 = 0
 *    (the kernel's rules); shift counts are taken modulo 64;
 *  - casts truncate and zero- or sign-extend; a variable's signedness is
 *    that of its first assignment; map values read as signed, a missing key
 *    reads 0, and `@m[k] op= v` on a missing key stores 0 op v;
 *  - `$x++`, `--$x`, `@m[k]++` are values, as in C: the value before
 *    (postfix) or after (prefix), of $x's type (a map value's is s64);
 *    `&&`, `||` and `?:` do not evaluate the operand they skip.
 * Each expression is evaluated while its text is written.  A statement
 * has at most one ++/--, and what it changes is read nowhere else in the
 * statement, so no value depends on the order of evaluation; it and
 * every statement change the state only where the program runs them.
 * Aggregations (count() .. lhist()) and what the maps print at exit are
 * agg.c's.
 *
 * The shapes are chosen to reach the compiler's corners: many variables
 * live at once (spills), literal operands that lowering folds next to
 * variable and map operands that it cannot, opaque values made from
 * `nsecs * 0`, shift counts and divisors that are 0, 63, 64, negative.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* ---- utilities -------------------------------------------------------------- */

static uint64_t next(struct gen *g) /* splitmix64: good enough, tiny, reproducible */
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int below(struct gen *g, int n)
{
	return (int)(next(g) % (uint64_t)n);
}

bool chance(struct gen *g, int percent)
{
	return below(g, 100) < percent;
}

void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (t->p && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
		t->p[t->len] = 0;
	}
}

void indent(struct gen *g)
{
	for (int i = 0; i <= g->nest; i++)
		put(&g->prog, "\t");
}

/* ---- the language's arithmetic --------------------------------------------- */

static const char *const binop_text[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>",
					 "==", "!=", "<", "<=", ">", ">=", "&&", "||"};

/* C's precedence, which the language keeps: an operand whose operator
 * binds less tightly than its place needs parentheses; others get them
 * now and then, so that both forms reach the parser. */
static const int binop_prec[] = {[B_ADD] = 9, [B_SUB] = 9, [B_MUL] = 10, [B_DIV] = 10,
	[B_MOD] = 10, [B_AND] = 5, [B_OR] = 3, [B_XOR] = 4, [B_SHL] = 8, [B_SHR] = 8, [B_EQ] = 6,
	[B_NE] = 6, [B_LT] = 7, [B_LE] = 7, [B_GT] = 7, [B_GE] = 7, [B_LAND] = 2, [B_LOR] = 1};
enum { PREC_TERNARY = 0, PREC_UNARY = 11, PREC_PRIMARY = 12 };

static uint64_t arith(enum binop op, uint64_t a, uint64_t b, bool is_signed)
{
	int64_t sa = (int64_t)a, sb = (int64_t)b;
	switch (op) {
	case B_ADD: return a + b;
	case B_SUB: return a - b;
	case B_MUL: return a * b;
	case B_DIV:
		if (!b)
			return 0;
		if (!is_signed)
			return a / b;
		if (sa == INT64_MIN && sb == -1)
			return a;
		return (uint64_t)(sa / sb);
	case B_MOD:
		if (!b)
			return a;
		if (!is_signed)
			return a % b;
		if (sb == -1)
			return 0;
		return (uint64_t)(sa % sb);
	case B_AND: return a & b;
	case B_OR: return a | b;
	case B_XOR: return a ^ b;
	case B_SHL: return a << (b & 63);
	case B_SHR:
		if (is_signed) /* arithmetic shift, without relying on C's >> of negatives */
			return sa < 0 ? ~(~a >> (b & 63)) : a >> (b & 63);
		return a >> (b & 63);
	case B_EQ: return a == b;
	case B_NE: return a != b;
	case B_LT: return is_signed ? sa < sb : a < b;
	case B_LE: return is_signed ? sa <= sb : a <= b;
	case B_GT: return is_signed ? sa > sb : a > b;
	case B_GE: return is_signed ? sa >= sb : a >= b;
	case B_LAND: return a && b;
	case B_LOR: return a || b;
	default: abort();
	}
}

struct value binary(enum binop op, struct value a, struct value b)
{
	bool is_signed = a.is_signed && b.is_signed;
	struct value r = val(arith(op, a.v, b.v, is_signed), is_signed);
	if (op >= B_EQ)
		r.is_signed = true;
	/* what sema_const_int folds (in signed arithmetic, whatever the types) */
	bool folds = op == B_ADD || op == B_SUB || op == B_MUL || op == B_SHL || op == B_OR ||
		     op == B_AND || (op == B_DIV && b.v && !(a.v == 1ull << 63 && b.v == ~0ull));
	r.is_const = a.is_const && b.is_const && folds;
	return r;
}

struct cast { const char *name; int bits; bool is_signed; };
static const struct cast casts[] = {
	{"u8", 8, false}, {"u16", 16, false}, {"u32", 32, false}, {"u64", 64, false},
	{"s8", 8, true}, {"s16", 16, true}, {"s32", 32, true}, {"s64", 64, true}, {"int", 32, true},
};

static struct value cast(const struct cast *c, struct value a)
{
	uint64_t v = a.v;
	if (c->bits < 64) {
		uint64_t mask = (1ull << c->bits) - 1;
		v &= mask;
		if (c->is_signed && (v >> (c->bits - 1)))
			v |= ~mask;
	}
	return val(v, c->is_signed);
}

/* ---- maps --------------------------------------------------------------------- */

static uint64_t *map_slot(struct map_state *m, uint64_t key, bool create)
{
	for (int i = 0; i < m->n; i++)
		if (m->keys[i] == key)
			return &m->vals[i];
	if (!create || m->n == MAP_ENTRIES_MAX)
		return NULL;
	m->keys[m->n] = key;
	m->vals[m->n] = 0;
	return &m->vals[m->n++];
}

static uint64_t map_read(struct map_state *m, uint64_t key)
{
	uint64_t *p = map_slot(m, key, false);
	return p ? *p : 0;
}

/* ---- expressions ---------------------------------------------------------------- */

/* Constants that sit on the edges: of 32-bit immediates, of shift counts,
 * of signed division. */
uint64_t interesting(struct gen *g)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 1000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		(uint64_t)-1, (uint64_t)-2, (uint64_t)-3, (uint64_t)-7, (uint64_t)-63, (uint64_t)-64,
		(uint64_t)-65, (uint64_t)-0x80000000ll, (uint64_t)-0x80000001ll,
		0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
		0xffffffff00000000ull, 0x00000000ffffffffull, 0x123456789abcdefull,
	};
	switch (below(g, 4)) {
	case 0: return (uint64_t)below(g, 20);
	case 1: return next(g);
	case 2: return (uint64_t)(int64_t)(int32_t)next(g);
	default: return edges[below(g, (int)(sizeof(edges) / sizeof(edges[0])))];
	}
}

/* v as a number in one of the forms the lexer reads: decimal, hex, octal,
 * digits grouped with `_`, a character. */
void number(struct gen *g, struct text *t, uint64_t v)
{
	int form = below(g, 10);
	if (form < 2) {
		put(t, "0x%" PRIx64, v);
	} else if (form < 3 && v) {
		put(t, "0%" PRIo64, v);
	} else if (form < 4 && v >= 1000) {
		char digits[32], grouped[48];
		int n = snprintf(digits, sizeof(digits), "%" PRIu64, v), out = 0;
		for (int i = 0; i < n; i++) {
			if (i && (n - i) % 3 == 0)
				grouped[out++] = '_';
			grouped[out++] = digits[i];
		}
		grouped[out] = 0;
		put(t, "%s", grouped);
	} else if (form < 5 && v >= 32 && v < 127 && v != '\'' && v != '\\') {
		put(t, "'%c'", (int)v);
	} else {
		put(t, "%" PRIu64, v);
	}
}

/* Write a literal for v, typed s64 unless it only fits unsigned. */
struct value literal(struct gen *g, struct text *t, uint64_t v)
{
	int64_t s = (int64_t)v;
	if (s >= 0) {
		number(g, t, v);
		return (struct value){v, true, true};
	}
	if (s == INT64_MIN) {
		put(t, "(-9223372036854775807 - 1)");
		return (struct value){v, true, true};
	}
	if (chance(g, 15)) { /* a literal above INT64_MAX: unsigned */
		number(g, t, v);
		return (struct value){v, false, true};
	}
	put(t, "(-");
	number(g, t, 0 - v);
	put(t, ")");
	return (struct value){v, true, true};
}

static struct value expr_in(struct gen *g, struct text *t, int depth, int min_prec);

/* The statement about to be written: `run` says whether it runs; it
 * assigns target_var or target_map (or -1).  A ++/-- in its expressions
 * changes a variable or map entry that nothing else in the statement
 * reads, so that the value does not depend on the order of evaluation. */
void scope_begin(struct gen *g, bool run, int target_var, int target_map)
{
	g->live = run;
	g->vars_read = 0;
	g->maps_read = 0;
	g->target_var = target_var;
	g->target_map = target_map;
	g->incdec_written = false;
	g->incdec_var = g->incdec_map = -1;
	g->key_bytes_left = STATEMENT_KEY_BYTES;
	g->agg_reads_left = STATEMENT_AGG_READS;
	g->agg_read_text = NULL;
}

/* A key of @m0..@m2: 0..3. */
struct value small_key(struct gen *g, struct text *t)
{
	if (chance(g, 60)) {
		uint64_t k = (uint64_t)below(g, 4);
		put(t, "%" PRIu64, k);
		return val(k, true);
	}
	put(t, "(");
	struct value k = expr_in(g, t, 1, binop_prec[B_AND]);
	put(t, " & 3)");
	return binary(B_AND, k, val(3, true));
}

/* A map read; maps are read only once an assignment to them is written,
 * since the compiler wants every map assigned somewhere.  Now and then an
 * aggregation's (agg.c). */
static bool map_read_expr(struct gen *g, struct text *t, struct value *out)
{
	int m = below(g, NMAPS);
	/* an aggregation's read is a loop whose three values live across a
	 * call: long programs, their temporaries spilled already, take fewer */
	if (chance(g, g->map_heavy ? 20 : 35) && agg_read_expr(g, t, out))
		return true;
	if (!g->maps[m].assigned || m == g->incdec_map || (g->branches_left <= 0 && !g->map_heavy))
		return false;
	g->branches_left--; /* a lookup branches, but on a pointer, not a value: cheaper */
	g->maps_read |= 1u << m;
	put(t, "@m%d[", m);
	struct value k = small_key(g, t);
	put(t, "]");
	*out = val(map_read(&g->maps[m], k.v), true);
	return true;
}

static struct value leaf(struct gen *g, struct text *t)
{
	int pick = below(g, 10);
	struct value v;
	if ((pick < 4 || (pick == 4 && !chance(g, g->map_percent))) && g->nvars > 0) {
		int i = below(g, g->nvars);
		if (i != g->incdec_var) {
			put(t, "$%c", 'a' + i);
			g->vars_read |= 1u << i;
			return val(g->vars[i].v, g->vars[i].is_signed);
		}
	}
	if (((pick == 4 && chance(g, g->map_percent)) || (g->map_heavy && pick >= 6 && pick < 9)) &&
	    map_read_expr(g, t, &v))
		return v;
	if (pick == 5) {
		/* opaque to lowering's folding: nsecs is a helper call */
		bool sign = chance(g, 60);
		put(t, sign ? "((s64)(nsecs * 0) + " : "(nsecs * 0 + ");
		v = literal(g, t, interesting(g));
		put(t, ")");
		return binary(B_ADD, val(0, sign), v);
	}
	return literal(g, t, interesting(g));
}

static bool open_paren(struct gen *g, struct text *t, int prec, int min_prec)
{
	bool paren = prec < min_prec || chance(g, 30);
	if (paren)
		put(t, "(");
	return paren;
}

static void close_paren(struct text *t, bool paren)
{
	if (paren)
		put(t, ")");
}

/* A variable for ++/-- as a value: one the statement neither assigns nor
 * reads elsewhere. */
static int incdec_var(struct gen *g)
{
	int can[NVARS_MAX], n = 0;
	for (int i = 0; i < g->nvars; i++)
		if (i != g->target_var && !(g->vars_read >> i & 1))
			can[n++] = i;
	return n ? can[below(g, n)] : -1;
}

/* `$x++`, `--$x`, `@m[k]++` as a value, as in C: the value before
 * (postfix) or after (prefix), of the variable's type; a map's value reads
 * as s64, a missing key as 0. */
static bool incdec_expr(struct gen *g, struct text *t, int min_prec, struct value *out)
{
	int m = below(g, NMAPS), i = -1;
	bool on_map = chance(g, 30) && m != g->target_map && !(g->maps_read >> m & 1) &&
		      (g->branches_left > 0 || g->map_heavy);
	if (!on_map && (i = incdec_var(g)) < 0)
		return false;
	bool inc = chance(g, 50), prefix = chance(g, 50);
	const char *op = inc ? "++" : "--";
	uint64_t step = inc ? 1 : (uint64_t)-1;
	g->incdec_written = true;
	bool paren = open_paren(g, t, prefix ? PREC_UNARY : PREC_PRIMARY, min_prec);
	put(t, "%s", prefix ? op : "");
	if (on_map) {
		g->incdec_map = m; /* before its key, which may not read it either */
		g->branches_left--;
		put(t, "@m%d[", m);
		struct value k = small_key(g, t);
		put(t, "]");
		*out = val(map_read(&g->maps[m], k.v), true);
		if (g->live)
			*map_slot(&g->maps[m], k.v, true) += step;
		g->maps[m].assigned = true;
	} else {
		g->incdec_var = i;
		put(t, "$%c", 'a' + i);
		*out = val(g->vars[i].v, g->vars[i].is_signed);
		if (g->live)
			g->vars[i].v += step;
	}
	put(t, "%s", prefix ? "" : op);
	close_paren(t, paren);
	if (prefix)
		out->v += step;
	return true;
}

/* An operand that runs only where `runs` (the right of && and ||, the
 * branches of ?:): a ++/-- in it must change nothing where it does not. */
static struct value expr_if(struct gen *g, struct text *t, int depth, int min_prec, bool runs)
{
	bool live = g->live;
	g->live = live && runs;
	struct value v = expr_in(g, t, depth, min_prec);
	g->live = live;
	return v;
}

/* An expression of at most `depth` levels, in a place where operators of
 * precedence min_prec and above need no parentheses (left-associative:
 * a right operand's place asks one more than its operator's). */
static struct value expr_in(struct gen *g, struct text *t, int depth, int min_prec)
{
	struct value v;
	if (!g->incdec_written && chance(g, 4) && incdec_expr(g, t, min_prec, &v))
		return v;
	if (depth <= 0 || chance(g, 25))
		return leaf(g, t);
	int pick = below(g, 20);
	bool branchy = g->branches_left > 0;
	if (!branchy && pick >= 17)
		pick = below(g, 17);
	if (pick < 12) {
		enum binop op = (enum binop)below(g, branchy ? B_COUNT : B_NARITH);
		if (pick < 4) /* the operators that have edge cases get more turns */
			op = (enum binop[]){B_DIV, B_MOD, B_SHL, B_SHR}[pick];
		if (op >= B_EQ)
			g->branches_left--;
		int prec = binop_prec[op];
		bool paren = open_paren(g, t, prec, min_prec);
		struct value a = expr_in(g, t, depth - 1, prec);
		put(t, " %s ", binop_text[op]);
		/* && and || do not evaluate their right side when the left decides */
		bool runs = op == B_LAND ? a.v != 0 : op == B_LOR ? a.v == 0 : true;
		struct value b = expr_if(g, t, depth - 1, prec + 1, runs);
		close_paren(t, paren);
		return binary(op, a, b);
	}
	if (pick < 15) {
		static const char ops[] = "-~!";
		char op = ops[below(g, branchy ? 3 : 2)];
		if (op == '!')
			g->branches_left--;
		bool paren = open_paren(g, t, PREC_UNARY, min_prec);
		put(t, "%c", op);
		/* never `- -x`, and `--x` or `++x` only in parentheses */
		struct value a = expr_in(g, t, depth - 1, PREC_PRIMARY);
		close_paren(t, paren);
		if (op == '!')
			return (struct value){!a.v, true, a.is_const};
		return (struct value){op == '-' ? 0 - a.v : ~a.v, a.is_signed, a.is_const};
	}
	if (pick < 17) {
		const struct cast *c = &casts[below(g, (int)(sizeof(casts) / sizeof(casts[0])))];
		bool paren = open_paren(g, t, PREC_UNARY, min_prec);
		put(t, "(%s)", c->name);
		struct value a = expr_in(g, t, depth - 1, PREC_PRIMARY);
		close_paren(t, paren);
		return cast(c, a);
	}
	if (pick < 19) {
		g->branches_left--;
		bool paren = open_paren(g, t, PREC_TERNARY, min_prec);
		struct value c = expr_in(g, t, depth - 1, binop_prec[B_LOR]);
		put(t, " ? ");
		struct value a = expr_if(g, t, depth - 1, PREC_TERNARY, c.v != 0);
		put(t, " : ");
		struct value b = expr_if(g, t, depth - 1, PREC_TERNARY, c.v == 0);
		close_paren(t, paren);
		return val(c.v ? a.v : b.v, a.is_signed && b.is_signed);
	}
	if (map_read_expr(g, t, &v))
		return v;
	return leaf(g, t);
}

/* An expression standing alone: a right-hand side, an argument, a condition. */
struct value expr(struct gen *g, struct text *t, int depth)
{
	return expr_in(g, t, depth, PREC_TERNARY);
}

/* ---- statements ------------------------------------------------------------------ */

static void block(struct gen *g, bool run, int n);

/* printf of n arguments from arg(), with %d, %u or %x each (the runtime
 * prints the 64 bits as signed, unsigned or hex); n = 0: print(e), which
 * picks %d or %u by e's type. */
void printf_with(struct gen *g, bool run, int n, printf_arg_fn *arg)
{
	static const char convs[] = "ddddux";
	bool is_print = n == 0;
	struct text args = {0};
	struct value v[6];
	char conv[6];
	scope_begin(g, run, -1, -1);
	if (is_print)
		n = 1;
	for (int i = 0; i < n; i++) {
		put(&args, ", ");
		v[i] = arg(g, &args);
		conv[i] = convs[below(g, 6)];
	}
	/* print(@c) prints the map @c, and print(@c[k]) the entry as it is
	 * when the event is read (AVOID_DEFERRED_PRINT_ENTRY, gen.h); `+ 0`
	 * makes either a value of the same type */
	if (is_print && g->agg_read_text == &args && g->agg_read_start == 2 &&
	    g->agg_read_end == args.len && (g->agg_read_keyless || AVOID_DEFERRED_PRINT_ENTRY))
		put(&args, " + 0");
	indent(g);
	if (is_print) {
		put(&g->prog, "print(%s);\n", args.p + 2);
		conv[0] = v[0].is_signed ? 'd' : 'u';
	} else {
		put(&g->prog, "printf(\"");
		for (int i = 0; i < n; i++)
			put(&g->prog, i ? " %%%c" : "%%%c", conv[i]);
		put(&g->prog, "\\n\"%s);\n", args.p);
	}
	free(args.p);
	if (!run)
		return;
	for (int i = 0; i < n; i++) {
		const char *sep = i ? " " : "";
		if (conv[i] == 'd')
			put(&g->expect, "%s%" PRId64, sep, (int64_t)v[i].v);
		else if (conv[i] == 'u')
			put(&g->expect, "%s%" PRIu64, sep, v[i].v);
		else
			put(&g->expect, "%s%" PRIx64, sep, v[i].v);
	}
	put(&g->expect, "\n");
}

static struct value any_arg(struct gen *g, struct text *t)
{
	return expr(g, t, 2 + g->deep);
}

static void printf_stmt(struct gen *g, bool run)
{
	printf_with(g, run, chance(g, 15) ? 0 : 1 + below(g, 6), any_arg);
}

static const enum binop compound_ops[] = {B_ADD, B_SUB, B_MUL, B_DIV, B_MOD, B_AND, B_OR,
					  B_XOR, B_SHL, B_SHR};

/* `$x op= e` or `$x++`; the operation is signed when $x and e both are. */
static void var_update(struct gen *g, bool run)
{
	int i = below(g, g->nvars);
	struct text rhs = {0};
	scope_begin(g, run, i, -1);
	indent(g);
	if (chance(g, 15)) {
		bool inc = chance(g, 50), prefix = chance(g, 50);
		const char *op = inc ? "++" : "--";
		put(&g->prog, "%s$%c%s;\n", prefix ? op : "", 'a' + i, prefix ? "" : op);
		if (run)
			g->vars[i].v += inc ? 1 : (uint64_t)-1;
		return;
	}
	enum binop op = compound_ops[below(g, 10)];
	struct value v = chance(g, 50) ? literal(g, &rhs, interesting(g)) : expr(g, &rhs, 2);
	put(&g->prog, "$%c %s= %s;\n", 'a' + i, binop_text[op], rhs.p);
	free(rhs.p);
	if (run)
		g->vars[i].v = binary(op, g->vars[i], v).v;
}

static void var_assign(struct gen *g, bool run)
{
	/* Now and then a variable is first assigned inside an `if`: where the
	 * branch does not run, it reads 0. */
	bool fresh = g->nvars < g->nvars_target &&
		     (g->nest == 0 ? g->nvars < 3 || chance(g, 60) : chance(g, 10));
	int i = fresh ? g->nvars : below(g, g->nvars);
	struct text rhs = {0};
	scope_begin(g, run, i, -1);
	struct value v = expr(g, &rhs, 3 + g->deep);
	indent(g);
	put(&g->prog, "$%c = %s;\n", 'a' + i, rhs.p);
	free(rhs.p);
	if (fresh) {
		g->vars[i] = v; /* the first assignment types it */
		if (!run)
			g->vars[i].v = 0;
		g->nvars++;
	} else if (run) {
		g->vars[i].v = v.v;
	}
}

/* @m[k] = e, @m[k] op= e, @m[k]++. */
static void map_write(struct gen *g, bool run)
{
	int m = below(g, NMAPS);
	struct map_state *ms = &g->maps[m];
	struct text lhs = {0}, rhs = {0};
	scope_begin(g, run, -1, m);
	put(&lhs, "@m%d[", m);
	struct value k = small_key(g, &lhs);
	put(&lhs, "]");
	indent(g);
	int kind = below(g, 10);
	if (kind < 4 || !ms->assigned) {
		struct value v = expr(g, &rhs, 3 + g->deep);
		put(&g->prog, "%s = %s;\n", lhs.p, rhs.p);
		if (run)
			*map_slot(ms, k.v, true) = v.v;
	} else if (kind < 5) {
		bool inc = chance(g, 50), prefix = chance(g, 50);
		const char *op = inc ? "++" : "--";
		put(&g->prog, "%s%s%s;\n", prefix ? op : "", lhs.p, prefix ? "" : op);
		if (run)
			*map_slot(ms, k.v, true) += inc ? 1 : (uint64_t)-1;
	} else if (kind < 6) {
		put(&g->prog, "delete(%s);\n", lhs.p);
		uint64_t *p = map_slot(ms, k.v, false);
		if (run && p) { /* keep the entries packed */
			int i = (int)(p - ms->vals);
			ms->keys[i] = ms->keys[ms->n - 1];
			ms->vals[i] = ms->vals[--ms->n];
		}
	} else {
		enum binop op = kind < 7 ? B_ADD : compound_ops[below(g, 10)];
		struct value v = chance(g, 40) ? literal(g, &rhs, interesting(g)) : expr(g, &rhs, 2);
		put(&g->prog, "%s %s= %s;\n", lhs.p, binop_text[op], rhs.p);
		if (run) {
			uint64_t *p = map_slot(ms, k.v, true);
			*p = binary(op, val(*p, true), v).v;
		}
	}
	ms->assigned = true;
	free(lhs.p);
	free(rhs.p);
}

/* if (...) { } [else if ... | else { }]; an `else if` continues the line
 * the `else` is on. */
static void if_stmt(struct gen *g, bool run, bool after_else)
{
	struct text cond = {0};
	struct value c;
	scope_begin(g, run, -1, -1);
	if (chance(g, 60)) { /* a comparison: lowered as a branch, never as a value */
		enum binop op = (enum binop)(B_EQ + below(g, 6));
		put(&cond, "(");
		struct value a = expr(g, &cond, 2);
		put(&cond, ") %s (", binop_text[op]);
		struct value b = expr(g, &cond, 2);
		put(&cond, ")");
		c = binary(op, a, b);
	} else {
		c = expr(g, &cond, 3);
	}
	if (!after_else)
		indent(g);
	put(&g->prog, "if (%s) {\n", cond.p);
	free(cond.p);
	g->nest++;
	block(g, run && c.v, 1 + below(g, 3));
	g->nest--;
	indent(g);
	put(&g->prog, "}");
	if (chance(g, 20)) { /* the rest of the chain runs when this test failed */
		put(&g->prog, " else ");
		if_stmt(g, run && !c.v, true);
		return;
	}
	if (chance(g, 50)) {
		put(&g->prog, " else {\n");
		g->nest++;
		block(g, run && !c.v, 1 + below(g, 3));
		g->nest--;
		indent(g);
		put(&g->prog, "}");
	}
	put(&g->prog, "\n");
}

static void stmt(struct gen *g, bool run)
{
	g->nstmts++;
	int pick = below(g, 24);
	if (g->nvars < 3 || (g->nest == 0 && g->nvars < g->nvars_target && pick < 14)) {
		var_assign(g, run);
		return;
	}
	if (pick < 5)
		var_assign(g, run);
	else if (pick < 8)
		var_update(g, run);
	else if (pick < 12)
		map_write(g, run);
	else if (pick < 15 && g->nest < MAX_NEST && g->nstmts < 40)
		if_stmt(g, run, false);
	else if (pick < 20)
		printf_stmt(g, run);
	else if (pick < 23)
		agg_update(g, run);
	else if (chance(g, 50))
		agg_delete(g, run);
	else
		agg_printf(g, run);
}

static void block(struct gen *g, bool run, int n)
{
	for (int i = 0; i < n; i++)
		stmt(g, run);
}

/* ---- a program -------------------------------------------------------------------- */

static void program(struct gen *g)
{
	/* One in ten runs in END, after BEGIN asked to exit: the same code, run
	 * by the runtime at the other end. */
	put(&g->prog, "// generated by tests/codegen/gen.c\n%s {\n",
	    chance(g, 10) ? "BEGIN { exit(); }\nEND" : "BEGIN");
	g->nvars_target = 12 + below(g, NVARS_MAX - 12 + 1);
	/* One program in four has deep expressions, so that temporaries pile up
	 * on top of the variables; calls (map reads) in the middle of them
	 * force the temporaries into R6-R9 or onto the stack. */
	g->deep = chance(g, 25) ? 2 : 0;
	g->map_percent = chance(g, 30) ? 100 : 60;
	g->branches_left = 100;
	/* One in eight is long and straight: many statements, each with
	 * temporaries live across map lookups, and few branches (beyond the
	 * lookups) for the verifier to walk: the spill slots must be shared. */
	bool is_long = chance(g, 8);
	if (is_long)
		g->deep = 3, g->map_percent = 100, g->branches_left = 30, g->map_heavy = true;
	aggs_choose(g);
	while (g->nvars < g->nvars_target)
		stmt(g, true);
	block(g, true, is_long ? 30 + below(g, 15) : 3 + below(g, 10));
	aggs_exercise(g);
	/* Every variable is still live here: the register allocator had to
	 * keep them all, in registers or spilled. */
	for (int i = 0; i < g->nvars; i += 4) {
		g->nest = 0;
		indent(g);
		put(&g->prog, "printf(\"");
		for (int j = i; j < g->nvars && j < i + 4; j++)
			put(&g->prog, j > i ? " %%d" : "%%d");
		put(&g->prog, "\\n\"");
		for (int j = i; j < g->nvars && j < i + 4; j++) {
			put(&g->prog, ", $%c", 'a' + j);
			put(&g->expect, j > i ? " %" PRId64 : "%" PRId64, (int64_t)g->vars[j].v);
		}
		put(&g->prog, ");\n");
		put(&g->expect, "\n");
	}
	/* @m0..@m2 are cleared: their contents are what the program's printf
	 * lines showed.  The aggregations print theirs at exit. */
	for (int m = 0; m < NMAPS; m++)
		if (g->maps[m].assigned)
			put(&g->prog, "\tclear(@m%d);\n", m);
	put(&g->prog, "\texit();\n}\n");
	maps_expect_exit(g);
}

static int write_file(const char *dir, uint64_t seed, const char *ext, const struct text *t)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%" PRIu64 ".%s", dir, seed, ext);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(t->p, 1, t->len, f) != t->len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen FIRST_SEED COUNT DIR\n");
		return 2;
	}
	uint64_t first = strtoull(argv[1], NULL, 0), count = strtoull(argv[2], NULL, 0);
	for (uint64_t seed = first; seed < first + count; seed++) {
		static struct gen g; /* large: the aggregations' entries */
		g = (struct gen){.rng = seed * 0x2545f4914f6cdd1dull + 1};
		put(&g.prog, "%s", ""); /* a string from the start, even if nothing follows */
		put(&g.expect, "%s", "");
		program(&g);
		aggs_free(&g);
		int rc = write_file(argv[3], seed, "ebq", &g.prog) | write_file(argv[3], seed, "expect", &g.expect);
		free(g.prog.p);
		free(g.expect.p);
		if (rc)
			return 1;
	}
	return 0;
}
