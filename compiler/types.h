/* types.h - the types of ebq values: what sema gives every expression, map
 * and variable, and what lowering lays out in memory.
 *
 * Every computed integer is 64 bits wide in a register; `size` is where a
 * narrower width matters (a cast, a field read).  Values bigger than a
 * register (strings, tuples) live in memory: a tuple's elements at 8-byte
 * aligned offsets, strings zero-padded to a multiple of 8 bytes, so copies
 * and comparisons work on whole words.
 *
 * C types - pointers, structs and unions, arrays - describe memory the
 * program reads: the kernel's (from BTF, btf_types.c) or a traced process's
 * (defined in the script, ctypes.c).  A pointer knows which address space it
 * points into, which decides how it is read.
 *
 * Aggregations (count() ... lhist()) are the type of a map's value: they say
 * how the map is updated and printed, and whether and how a program may read
 * it (agg_read_type).
 */
#ifndef EBPFQ_TYPES_H
#define EBPFQ_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"

enum ty_kind {
	TY_NONE,  /* not a value (a statement-like call), or unknown after an error */
	TY_INT,   /* integer of `size` bytes (8 for every computed value) */
	TY_STR,   /* NUL-padded string buffer of `size` bytes */
	TY_TUPLE, /* (a, b, ...): `fields`, laid out by ty_layout */
	TY_AGG,   /* an aggregation: only a map's value (`agg` says which) */
	TY_MAP,   /* a whole map as an argument: print(@m), clear(@m) */
	TY_VOID,  /* what a void pointer points to */
	TY_PTR,   /* a pointer to `elem`, into `space` */
	TY_RECORD, /* a struct or union: `name`, `fields` at C offsets, `align` */
	TY_ARRAY, /* `count` elements of `elem` */
	TY_STACK, /* kstack, ustack: {s64 stack id, u64 pid} in memory; `user`,
	             `stack_mode` and `frames` say which stacks and how they print */
	TY_SYMBOL, /* ksym(a), usym(a): {u64 address, u64 pid} in memory, printed as
	             the name of the symbol holding the address (`user`: a process's) */
	TY_TEXT,  /* a raw value user space prints as text, as `text` says (ntop,
	             username, cgroup_path, strftime, buf: builtins/render.c) */
};

/* What a TY_TEXT value holds, and how it prints (image.h: EQ_TEXT_*). */
enum ty_text {
	TEXT_INET,     /* ntop: {u64 family, u8 addr[16]}: 1.2.3.4 or ::1 */
	TEXT_USERNAME, /* username: u64 uid: its name in /etc/passwd */
	TEXT_CGROUP,   /* cgroup_path: u64 cgroup id: its paths */
	TEXT_TIME,     /* strftime: u64 ns since boot: the time then, `name` the format */
	TEXT_BUF,      /* buf: {u64 length, bytes}: printable bytes, \xNN the rest */
};

/* Where an address points: how the program must read it. */
enum ty_space {
	SPACE_NONE,   /* not known (a number made up in the script) */
	SPACE_KERNEL, /* kernel memory: bpf_probe_read_kernel */
	SPACE_USER,   /* the traced process's memory: bpf_probe_read_user */
};

enum agg_kind {
	AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_STATS, AGG_HIST, AGG_LHIST,
};

struct eq_type;

/* An element of a tuple, or a member of a struct or union: its type and
 * where it starts.  A bit-field is `bit_size` bits from bit `bit_offset`
 * of the record (offset is then the byte holding its first bit). */
struct ty_field {
	const struct eq_type *type;
	uint32_t offset;
	const char *name;     /* records: NULL for an anonymous struct or union member */
	uint32_t bit_offset;
	uint8_t bit_size;     /* 0: not a bit-field */
};

struct eq_type {
	enum ty_kind kind;
	uint32_t size;       /* bytes in memory */
	bool is_signed;      /* TY_INT; TY_AGG: of the values aggregated */
	/* TY_TUPLE */
	const struct ty_field *fields;
	int nfields;
	/* TY_AGG */
	enum agg_kind agg;
	int64_t lhist_min, lhist_max, lhist_step; /* AGG_LHIST */
	/* C types */
	const struct eq_type *elem; /* TY_PTR: the pointee (a TY_VOID for void *); TY_ARRAY */
	uint32_t count;             /* TY_ARRAY: elements */
	uint32_t align;             /* TY_RECORD, and every C type in memory */
	enum ty_space space;        /* TY_PTR: where it points; TY_INT: where an
	                               address it holds points (arg0 of a uprobe) */
	const char *name;           /* TY_RECORD "struct foo"; TY_INT its C name
	                               ("uint8"); a typedef's name where one was used */
	bool is_union;              /* TY_RECORD */
	bool incomplete;            /* TY_RECORD declared and not (yet) defined */
	/* TY_STACK, TY_SYMBOL: a user stack or symbol (else the kernel's); a
	 * stack's mode (enum eq_stack_mode) and most frames */
	bool user;
	uint8_t stack_mode;
	uint16_t frames;
	enum ty_text text;          /* TY_TEXT */
	/* TY_RECORD from the kernel's BTF: its members are read on first use
	 * (ty_record_fields), so that naming a big struct costs nothing */
	const struct ty_lazy *lazy;
	/* TY_RECORD from the kernel's BTF: its id there, which a CO-RE
	 * relocation of an --aot object names (lower_memory.c); 0 otherwise */
	uint32_t btf_id;
};

/* How a kernel struct's members are read when first needed (btf_types.c
 * embeds this in its own bookkeeping). */
struct ty_lazy {
	const struct ty_field *(*fields)(const struct ty_lazy *lazy, int *n);
};

extern const struct eq_type ty_none, ty_s64, ty_u64, ty_map, ty_void;

const struct eq_type *ty_new(struct arena *a, struct eq_type t);
const struct eq_type *ty_str(struct arena *a, uint32_t size);
const struct eq_type *ty_agg(struct arena *a, enum agg_kind agg, bool is_signed);
/* kstack, ustack of a mode and frame count; ksym, usym. */
const struct eq_type *ty_stack(struct arena *a, bool user, uint8_t mode, uint16_t frames);
const struct eq_type *ty_symbol(struct arena *a, bool user);
/* A value printed as text: `size` bytes; strftime's format in `format`. */
const struct eq_type *ty_text(struct arena *a, enum ty_text text, uint32_t size, const char *format);
/* A tuple of these element types, laid out. */
const struct eq_type *ty_tuple(struct arena *a, const struct eq_type *const *elems, int n);

/* "an integer", "a string", "a tuple (int, string)", "hist()": for messages. */
const char *ty_name(struct arena *a, const struct eq_type *t);
const char *agg_name(enum agg_kind agg); /* "hist" */

/* Can a value of type `b` go where values of type `a` go (same kind and
 * shape; string sizes may differ)? */
bool ty_compatible(const struct eq_type *a, const struct eq_type *b);
/* The type that holds both (compatible) types: strings as long as the longer. */
const struct eq_type *ty_unify(struct arena *a, const struct eq_type *x, const struct eq_type *y);
/* Bytes a value of this type takes in a key or a value: 8 for integers,
 * size rounded up to 8 for the rest. */
uint32_t ty_slot_size(const struct eq_type *t);

/* What reading an aggregation's map in a program gives: an integer type, or
 * NULL when it has no single value (stats, hist, lhist). */
const struct eq_type *agg_read_type(const struct eq_type *agg);

/* ---- C types -------------------------------------------------------------- */

/* An integer of `size` bytes (1, 2, 4, 8). */
const struct eq_type *ty_int(struct arena *a, uint32_t size, bool is_signed);
const struct eq_type *ty_ptr(struct arena *a, const struct eq_type *elem, enum ty_space space);
const struct eq_type *ty_array(struct arena *a, const struct eq_type *elem, uint32_t count);
/* A struct or union's members, read from BTF on first use for kernel types. */
const struct ty_field *ty_record_fields(const struct eq_type *t, int *n);
/* t->size, once a kernel struct's BTF has been read. */
uint32_t ty_size_of(const struct eq_type *t);
/* The member `name` of a struct or union, looking into anonymous members;
 * its offset (and bit offset) from the start of t.  NULL if none. */
const struct ty_field *ty_find_field(struct arena *a, const struct eq_type *t, const char *name,
				     struct ty_field *out);
/* The member `name` as a CO-RE access path: the index of each member from
 * t down to it, through anonymous members (BTF's member order, which
 * ty_record_fields keeps).  Returns how many indexes (at most max), 0 if t
 * has no such member or the path is longer than max. */
int ty_field_path(const struct eq_type *t, const char *name, uint32_t *path, int max);
/* "struct task_struct *", "uint8", "int32[4]": the type as C would write it. */
const char *ty_c_name(struct arena *a, const struct eq_type *t);
/* The type as -d ast shows it: "int32", "struct task_struct *(kernel)",
 * "string[64]", "(int64, string[6])". */
void ty_print(FILE *out, const struct eq_type *t);
/* Is this a character array (printed as a string)? */
bool ty_is_chars(const struct eq_type *t);
/* A value held in a register: an integer or a pointer (an address). */
static inline bool ty_is_number(const struct eq_type *t)
{
	return t->kind == TY_INT || t->kind == TY_PTR;
}

/* Stacks, symbols and the rest of TY_TEXT: values user space prints as
 * text it works out. */
static inline bool ty_is_symbolic(const struct eq_type *t)
{
	return t->kind == TY_STACK || t->kind == TY_SYMBOL || t->kind == TY_TEXT;
}

/* A value held in memory (a frame slot): strings, tuples, structs, arrays,
 * stacks and symbols. */
static inline bool ty_in_memory(const struct eq_type *t)
{
	return t->kind == TY_STR || t->kind == TY_TUPLE || t->kind == TY_RECORD || t->kind == TY_ARRAY ||
	       ty_is_symbolic(t);
}

/* Bytes of one CPU's value of an aggregation's map (aggregate.c). */
uint32_t agg_value_size(const struct eq_type *agg);
/* hist and lhist: how many buckets there are; 1 for the rest. */
uint32_t agg_buckets(const struct eq_type *agg);

#endif
