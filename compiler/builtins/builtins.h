/* builtins.h - the language's builtin variables and functions: one registry.
 *
 * Each builtin is one entry: its name, where it may stand, its arity, how
 * sema checks it (check) and how lowering generates its code (lower_*).
 * Entries are grouped one family per file (context.c for pid, comm, argN...;
 * output.c for printf, print, exit; maps.c for delete, clear...;
 * aggregate.c for count(), hist()...; strings.c for str(); memory.c for
 * sizeof(), offsetof(), kptr(), uptr(); stacks.c for kstack, ustack, ksym(),
 * usym(), kaddr(), uaddr(); actions.c for signal(), system(), cat(); time.c
 * for time(); render.c for ntop(), username, cgroup_path(), strftime(),
 * buf()), and sema,
 * lowering and did-you-mean all read the same tables (registry.c).  Adding
 * a function is adding an entry to its family's file.
 *
 * The check and lower functions see sema's and lowering's internals
 * (sema.h and lower.h with SEMA_INTERNAL / LOWER_INTERNAL defined).
 */
#ifndef EBPFQ_BUILTINS_H
#define EBPFQ_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "image.h"
#include "ir.h"
#include "types.h"

struct sema;  /* sema.h */
struct lower; /* lower.h */

enum builtin_kind {
	BUILTIN_VAR,  /* a bare name: pid, comm, arg0 */
	BUILTIN_CALL, /* a call: printf(...), count() */
};

/* Where a call may stand. */
enum builtin_use {
	USE_VALUE,     /* wherever an expression goes: str(p) */
	USE_STATEMENT, /* only as a statement, it has no value: printf(), exit() */
	USE_MAP_VALUE, /* only as the value given to a map: @m[k] = count() */
};

struct builtin {
	const char *name;
	enum builtin_kind kind;
	enum builtin_use use;
	int min_args, max_args;
	/* Not supported yet: the error says "the function NAME <later>"; NULL
	 * when it is supported. */
	const char *later;

	/* sema: check the arguments (their count is checked already) and say
	 * the type of the result (&ty_none for a statement). */
	const struct eq_type *(*check)(struct sema *s, struct ast *e);

	/* lowering: the one that matches what the result is used as */
	struct ir_val (*lower_int)(struct lower *L, const struct ast *e);
	/* a condition (`if (strncmp(...) == 0)`): to `nonzero` or `zero`,
	 * without making the 0/1 value first; optional */
	void (*lower_cond)(struct lower *L, const struct ast *e, struct ir_block *nonzero,
			   struct ir_block *zero);
	/* a value held in memory (a string): into slot+off, `size` bytes */
	void (*lower_into)(struct lower *L, const struct ast *e, int slot, int32_t off,
			   uint32_t size);
	/* a value known when compiling (probe, func), or NULL if not known */
	const char *(*const_text)(const struct lower *L, const struct ast *e);
	void (*lower_stmt)(struct lower *L, const struct ast *call);
	/* an aggregation: `map = call` adds the call's arguments to the map */
	void (*lower_update)(struct lower *L, const struct ast *map, const struct ast *call);
	/* an aggregation's map read in a program (`@c[k] > 10`): its value
	 * over all CPUs; NULL where it has no single value (hist) */
	struct ir_val (*lower_read)(struct lower *L, const struct ast *map);
	/* the same for the key at the address in vreg key_addr (a for-map
	 * loop's), of map `map` */
	struct ir_val (*lower_read_at)(struct lower *L, int map, int key_addr, eq_loc loc);
};

/* Table rows of the common shapes: a call used as a statement, and a call
 * with a value (its lowering given by designator: .lower_int = f). */
#define BUILTIN_STATEMENT(n, min, max, chk, low) \
	{.name = n, .kind = BUILTIN_CALL, .use = USE_STATEMENT, .min_args = min, .max_args = max, \
	 .check = chk, .lower_stmt = low}
#define BUILTIN_FUNCTION(n, min, max, chk, ...) \
	{.name = n, .kind = BUILTIN_CALL, .use = USE_VALUE, .min_args = min, .max_args = max, \
	 .check = chk, __VA_ARGS__}

/* The entry of this kind and name, or NULL. */
const struct builtin *builtin_find(enum builtin_kind kind, const char *name);
/* The names of every builtin of a kind into names[max] (NULL-terminated), for
 * did-you-mean; returns how many. */
int builtin_names(enum builtin_kind kind, const char **names, int max);

/* A call whose first argument is a printf format (printf, system, cat):
 * check the format against the arguments (output.c), and lower it to an
 * event of the output kind. */
const struct eq_type *builtin_check_format(struct sema *s, struct ast *call);
void builtin_lower_format(struct lower *L, const struct ast *call, enum eq_output_kind kind);

/* The families (each file's table ends with an entry whose name is NULL). */
extern const struct builtin builtins_context[];
extern const struct builtin builtins_output[];
extern const struct builtin builtins_maps[];
extern const struct builtin builtins_aggregate[];
extern const struct builtin builtins_strings[];
extern const struct builtin builtins_memory[];
extern const struct builtin builtins_stacks[];
extern const struct builtin builtins_actions[];
extern const struct builtin builtins_time[];
extern const struct builtin builtins_render[];
extern const struct builtin builtins_later[];

#endif
