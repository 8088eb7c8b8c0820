/* types.h - the types of ebq values: what sema gives every expression, map
 * and variable, and what lowering lays out in memory.
 *
 * Every computed integer is 64 bits wide in a register; `size` is where a
 * narrower width matters (a cast, a field read).  Values bigger than a
 * register (strings, tuples) live in memory, laid out by ty_layout: each
 * element at an 8-byte aligned offset, strings zero-padded to a multiple of
 * 8 bytes, so copies and comparisons work on whole words.
 *
 * Aggregations (count() ... lhist()) are the type of a map's value: they say
 * how the map is updated and printed, and whether and how a program may read
 * it (agg_read_type).
 */
#ifndef EBPFQ_TYPES_H
#define EBPFQ_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

enum ty_kind {
	TY_NONE,  /* not a value (a statement-like call), or unknown after an error */
	TY_INT,   /* integer of `size` bytes (8 for every computed value) */
	TY_STR,   /* NUL-padded string buffer of `size` bytes */
	TY_TUPLE, /* (a, b, ...): `fields`, laid out by ty_layout */
	TY_AGG,   /* an aggregation: only a map's value (`agg` says which) */
	TY_MAP,   /* a whole map as an argument: print(@m), clear(@m) */
};

enum agg_kind {
	AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_STATS, AGG_HIST, AGG_LHIST,
};

struct eq_type;

/* An element of a tuple: its type and where it starts. */
struct ty_field {
	const struct eq_type *type;
	uint32_t offset;
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
};

extern const struct eq_type ty_none, ty_s64, ty_u64, ty_map;

const struct eq_type *ty_new(struct arena *a, struct eq_type t);
const struct eq_type *ty_str(struct arena *a, uint32_t size);
const struct eq_type *ty_agg(struct arena *a, enum agg_kind agg, bool is_signed);
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

/* Bytes of one CPU's value of an aggregation's map (aggregate.c). */
uint32_t agg_value_size(const struct eq_type *agg);
/* hist and lhist: how many buckets there are; 1 for the rest. */
uint32_t agg_buckets(const struct eq_type *agg);

#endif
