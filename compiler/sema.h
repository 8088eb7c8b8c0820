/* sema.h - names and types: what sema.c learns about a program and lower.c
 * uses to generate code.
 *
 * Every expression node gets a type (ast->type).  Maps and scratch
 * variables are numbered (ast->sema_id indexes sema_info.maps / .vars);
 * printf-like calls get an output index.
 */
#ifndef EBPFQ_SEMA_H
#define EBPFQ_SEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "image.h"
#include "probe.h"
#include "types.h"

struct ctypes;
struct symtab;
struct eq_target;

enum { SEMA_MAX_KEYS = 8 };

/* What sema knows about one @map. */
struct sema_map {
	const char *name;
	eq_loc first;              /* first mention, for "declared here" notes */
	eq_loc value_loc;          /* where its value type was decided */
	int nkeys;                 /* -1 until the first use with or without [ ] */
	struct eq_type keys[SEMA_MAX_KEYS];
	struct eq_type value;      /* TY_INT, TY_STR, TY_TUPLE, TY_AGG */
	uint32_t key_size, value_size;
	uint32_t key_offsets[SEMA_MAX_KEYS];
	/* The builtin variable every use wrote as key part i (comm, pid), which
	 * names it (--export's labels); NULL before the first use, "" where
	 * some use wrote something else. */
	const char *key_names[SEMA_MAX_KEYS];
};

struct sema_var {
	const char *name;
	struct eq_type type;
	/* The copy of type the reads since it last changed share (check_var):
	 * a long probe reads its variables tens of thousands of times, and a
	 * copy per read was a tenth of the memory its compile touched. */
	const struct eq_type *read_type;
	/* The variable of a for-map loop: (key, value) of map `map`'s entries,
	 * known inside the loop only (out_of_scope after it). */
	bool map_entry;
	int map;
	bool out_of_scope;
	eq_loc loc;        /* map_entry: where the loop names it */
};

struct sema_info {
	struct {
		struct sema_map *items;
		int count, cap;
	} maps;
	struct {
		struct sema_var *items;
		int count, cap;
	} vars;
	uint32_t strlen; /* bytes of a string value (--strlen) */
	const struct attach_list *points; /* per probe (by index): where it attaches */
	int nparams;     /* the script's arguments, for $1.. and $# */
	const char *const *params;
	struct ctypes *ctypes; /* C types by name: the script's and the kernel's */
	/* stacks and symbols (builtins/stacks.c) */
	uint32_t max_stack;    /* the most frames a stack may hold (the kernel's
	                          perf_event_max_stack; 0: unknown) */
	struct {
		uint16_t *items;   /* the frame counts of the stacks taken: one stack map each */
		int count, cap;
	} stack_frames;
	bool watches_pids;     /* ustack or usym: processes are announced to user space */
	struct symtab *kernel_symbols; /* /proc/kallsyms, read at the first kaddr() */
	const struct eq_target *target; /* what the program will run on and with (-c, --unsafe) */
	/* What checking saw, so that no later stage walks the whole AST again
	 * for it (on a long probe, each walk is a pass through memory): */
	bool reads_params;         /* $N or $# (eq_image.uses_params) */
	bool writes_partial_lines; /* a printf or time() format ends without a newline
	                              (eq_image.lines_by_thread) */
	bool has_map_loops;        /* a for-map loop: lowering looks for the variables
	                              its callback shares (lower_find_loop_vars) */
};

/* Check the program; fills types and sema_info.  Returns the number of errors. */
int sema_check(struct ast *program, struct sema_info *info, struct arena *arena,
	       struct eq_diag *diag, uint32_t strlen);

/* Byte layout of a key with these field types (8-aligned fields). */
uint32_t sema_key_layout(const struct eq_type *keys, int nkeys, uint32_t *offsets);


/* ---- shared by sema.c and the builtins' check functions ---------------- */
#ifdef SEMA_INTERNAL

struct sema {
	struct sema_info *info;
	struct arena *arena;
	struct eq_diag *diag;
	bool reporting;     /* second walk: errors are real */
	int probe_index;    /* scratch variables are local to one probe */
	int vars_start;     /* first var of the current probe in info->vars */
	int loops;          /* loops the statement being checked is in */
	/* A for-map loop's `$kv.1` of a map with no single value (hist) may
	 * only be print()'s argument, and its `$kv` only have elements taken:
	 * the nodes where that is so now (see check_tuple_element, check_var). */
	const struct ast *print_arg, *element_base;
};

/* Errors and hints are reported in the second walk only (see sema.c). */
void sema_error(struct sema *s, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sema_warning(struct sema *s, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "did you mean" the closest of names (NULL-terminated), if one is close. */
void sema_hint(struct sema *s, eq_loc loc, const char *word, const char *const *names);
/* Check an expression; sets and returns e->type. */
const struct eq_type *sema_expr(struct sema *s, struct ast *e);
/* An argument that must be an integer; false (after an error) if it is not. */
bool sema_int_arg(struct sema *s, struct ast *call, int index);
/* Argument `index` of call, which must be a string literal: its text, or
 * NULL after "NAME() takes WHAT" (none if the argument was in error). */
const char *sema_literal_arg(struct sema *s, struct ast *call, int index, const char *what);
/* A map named as a function's argument: print(@m), clear(@m) name a whole
 * map, delete(@m[k]) one entry (with_key).  NULL after an error. */
struct sema_map *sema_map_arg(struct sema *s, struct ast *call, bool with_key);
/* The value of a constant integer expression (literals, $N, + - * / << | &
 * ~ of them), checked as an expression too; false if it is not one. */
bool sema_const_int(struct sema *s, struct ast *e, int64_t *value);
/* The text of positional parameter $n ("" if it is not given); the script
 * reads its parameters (sema_info.reads_params). */
const char *sema_param_text(struct sema *s, int64_t n);
/* "a string", "hist()": for messages. */
const char *sema_type_name(struct sema *s, const struct eq_type *t);

/* Can a value of type t be copied whole (it fits the stack)?  Else an
 * error at e. */
bool sema_fits_copy(struct sema *s, const struct ast *e, const struct eq_type *t);

/* args as a value: a record of the tracepoint's fields (sema.c). */
const struct eq_type *sema_args_record(struct sema *s, struct ast *e);

/* sema_memory.c: C types in expressions */
enum ty_space sema_default_space(struct sema *s);
const struct eq_type *sema_type_of_node(struct sema *s, struct ast *type);
const struct eq_type *sema_cast(struct sema *s, struct ast *e);
const struct eq_type *sema_member(struct sema *s, struct ast *e, const struct eq_type *object);
const struct eq_type *sema_index(struct sema *s, struct ast *e);
const struct eq_type *sema_deref_or_address(struct sema *s, struct ast *e);
const struct eq_type *sema_pointer_arith(struct sema *s, struct ast *e, const struct eq_type *l,
					 const struct eq_type *r);
/* Is e memory read through a pointer (p->f, p[i], *p, and members of those)? */
bool sema_is_memory(const struct ast *e);
/* Which address space the memory e names is in. */
enum ty_space sema_space_of(const struct ast *e);

#endif
#endif
