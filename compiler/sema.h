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

enum ty_kind {
	TY_NONE,  /* not a value (a statement-like call), or not known yet */
	TY_INT,   /* integer of `size` bytes (8 for every computed value) */
	TY_STR,   /* NUL-padded string buffer of `size` bytes */
	TY_COUNT, /* aggregation results: only assignable to a map */
	TY_SUM,
	TY_MAP,   /* a whole map as an argument: print(@m), clear(@m) */
};

struct eq_type {
	enum ty_kind kind;
	uint32_t size;
	bool is_signed;
};

extern const struct eq_type ty_none, ty_s64, ty_u64, ty_count, ty_sum, ty_map;

/* What sema knows about one @map. */
struct sema_map {
	const char *name;
	eq_loc first;              /* first mention, for "declared here" notes */
	bool known;                /* key and value types are fixed */
	int nkeys;                 /* -1 until the first use with or without [ ] */
	struct eq_type keys[8];
	struct eq_type value;      /* TY_INT, TY_STR, TY_COUNT, TY_SUM */
	uint32_t key_size, value_size;
	uint32_t key_offsets[8];
};

struct sema_var {
	const char *name;
	struct eq_type type;
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
};

/* Check the program; fills types and sema_info.  Returns the number of errors. */
int sema_check(struct ast *program, struct sema_info *info, struct arena *arena,
	       struct eq_diag *diag, uint32_t strlen);

/* Byte layout of a key with these field types (8-aligned fields). */
uint32_t sema_key_layout(const struct eq_type *keys, int nkeys, uint32_t *offsets);

#endif
