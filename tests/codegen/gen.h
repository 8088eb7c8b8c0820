/* gen.h - what the two halves of the program generator share: gen.c
 * writes expressions, statements and whole programs; agg.c the
 * aggregation maps (@c = count(), @h[k] = hist(x), ...): their updates,
 * their reads inside expressions, and the text they print at exit. */
#ifndef CODEGEN_GEN_H
#define CODEGEN_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Switches for what the reference does not model: two operations ebpfq
 * does in user space when their event is read, as doc/language.md says
 * (as bpftrace does print(@m) and clear(@m)), so that their result depends
 * on what the probe did meanwhile; set one to 0 (CC="cc -DAVOID_...=0" for
 * tests/codegen.sh) to generate the construct anyway:
 *  - AVOID_DEFERRED_DELETE: delete() of a histogram entry or of a key-less
 *    map happens in user space when the event is read, after the probe
 *    has gone on (and maybe updated the entry again): only synchronous
 *    deletes (keyed count/sum/avg/min/max/stats) are generated;
 *  - AVOID_DEFERRED_PRINT_ENTRY: print(@c[k]) of an aggregation prints
 *    the entry as it is when user space reads the event, not as it was
 *    when print() ran (print(@m[k]) of a plain map prints the value then):
 *    such a print's argument gets a `+ 0`, which makes it a value. */
#ifndef AVOID_DEFERRED_DELETE
#define AVOID_DEFERRED_DELETE 1
#endif
#ifndef AVOID_DEFERRED_PRINT_ENTRY
#define AVOID_DEFERRED_PRINT_ENTRY 1
#endif

enum { NVARS_MAX = 26, NMAPS = 3, MAP_ENTRIES_MAX = 256, MAX_NEST = 3 };
enum { NAGGS_MAX = 6, KEY_PARTS_MAX = 3, AGG_ENTRIES_MAX = 256 };
/* Each aggregation read or update in a statement has its own key on the
 * stack until the statement ends, and a read is a loop whose three values
 * live across a call (the temporaries around it spill): with 26 variables
 * spilled beside them, more would pass the 512 bytes a program has. */
enum { STATEMENT_KEY_BYTES = 96, STATEMENT_AGG_READS = 2 };

struct text {
	char *p;
	size_t len, cap;
};

/* A value of the language: 64 bits, and how it is typed; is_const: the
 * compiler's sema folds it (literals, and + - * / << | & - ~ ! of them). */
struct value {
	uint64_t v;
	bool is_signed;
	bool is_const;
};

struct map_state {
	bool assigned;               /* some assignment to it was written */
	int n;
	uint64_t keys[MAP_ENTRIES_MAX];
	uint64_t vals[MAP_ENTRIES_MAX];
};

enum binop { B_ADD, B_SUB, B_MUL, B_DIV, B_MOD, B_AND, B_OR, B_XOR, B_SHL, B_SHR,
	     B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_LAND, B_LOR, B_NARITH = B_EQ, B_COUNT = B_LOR + 1 };

enum agg_kind { A_COUNT, A_SUM, A_AVG, A_MIN, A_MAX, A_STATS, A_HIST, A_LHIST, A_NKINDS };

/* An aggregation map's key: each part an integer or a string. */
struct agg_key {
	uint64_t ints[KEY_PARTS_MAX];
	const char *strs[KEY_PARTS_MAX]; /* the string's bytes, as printed */
};

struct agg_entry {
	struct agg_key key;
	uint64_t count;     /* count; avg and stats: how many values */
	uint64_t value;     /* sum; avg and stats: the total; min and max */
	uint64_t *buckets;  /* hist and lhist: counts by bucket */
};

struct agg_map {
	char name[16];
	enum agg_kind kind;
	int nkeys;
	bool key_is_str[KEY_PARTS_MAX];
	bool key_signed[KEY_PARTS_MAX]; /* an integer part prints as its first use is typed */
	bool assigned;                  /* an update was written: it is typed, and may be read */
	bool value_signed;              /* sum, min, max: as their first argument */
	int64_t lhist_min, lhist_max, lhist_step;
	int n;
	struct agg_entry entries[AGG_ENTRIES_MAX];
};

struct gen {
	uint64_t rng;
	struct text prog, expect;
	int nvars;                   /* $a.. declared so far, at the top level */
	int nvars_target;
	struct value vars[NVARS_MAX];
	struct map_state maps[NMAPS];
	int naggs;
	struct agg_map aggs[NAGGS_MAX];
	int nest;                    /* if-nesting depth of the statement being written */
	int deep;                    /* extra expression depth: register pressure inside one expression */
	int map_percent;             /* how often a leaf is a map read: calls inside expressions */
	bool map_heavy;              /* long programs: three leaves in ten are map reads */
	/* Branches left to write: a map read, a comparison or a `?:` is a
	 * branch in BPF, and the kernel verifier walks the paths they make
	 * (with every constant it branches on made precise, little is pruned):
	 * past some number, a program is "too large" for it. */
	int branches_left;
	int nstmts;                  /* statements written, a bound on program size */
	/* The statement being written (see scope_begin): whether its
	 * expression runs here (the statement runs, and no `&&`, `||` or `?:`
	 * skipped this part of it), what it has read, and its one ++/--. */
	bool live;
	uint32_t vars_read;
	unsigned maps_read;
	int target_var, target_map;  /* what the statement assigns, or -1 */
	bool incdec_written;
	int incdec_var, incdec_map;  /* read nowhere else in the statement */
	int key_bytes_left;          /* stack the statement's map keys may still take */
	int agg_reads_left;          /* each a loop whose values live across calls */
	/* where the last aggregation read was written, and whether key-less:
	 * print() of it alone would print the map (see printf_with) */
	const struct text *agg_read_text;
	size_t agg_read_start, agg_read_end;
	bool agg_read_keyless;
};

/* A value that is no constant to the compiler. */
static inline struct value val(uint64_t v, bool is_signed)
{
	return (struct value){v, is_signed, false};
}

/* gen.c */
int below(struct gen *g, int n);
bool chance(struct gen *g, int percent);
void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void indent(struct gen *g);
void scope_begin(struct gen *g, bool run, int target_var, int target_map);
uint64_t interesting(struct gen *g);
void number(struct gen *g, struct text *t, uint64_t v);
struct value literal(struct gen *g, struct text *t, uint64_t v);
struct value binary(enum binop op, struct value a, struct value b);
struct value expr(struct gen *g, struct text *t, int depth);
struct value small_key(struct gen *g, struct text *t);
typedef struct value printf_arg_fn(struct gen *g, struct text *t);
void printf_with(struct gen *g, bool run, int n, printf_arg_fn *arg);

/* agg.c */
void aggs_choose(struct gen *g);
void agg_update(struct gen *g, bool run);
void agg_delete(struct gen *g, bool run);
bool agg_read_expr(struct gen *g, struct text *t, struct value *out);
void agg_printf(struct gen *g, bool run);
void aggs_exercise(struct gen *g);
void maps_expect_exit(struct gen *g);
void aggs_free(struct gen *g);

#endif
