/* types.c - constructing, naming, comparing and laying out types; see types.h. */
#include "types.h"

#include "image.h" /* enum eq_stack_mode */

#include <stdio.h>
#include <string.h>

const struct eq_type ty_none = {.kind = TY_NONE};
const struct eq_type ty_s64 = {.kind = TY_INT, .size = 8, .is_signed = true};
const struct eq_type ty_u64 = {.kind = TY_INT, .size = 8, .is_signed = false};
const struct eq_type ty_map = {.kind = TY_MAP};
const struct eq_type ty_void = {.kind = TY_VOID, .size = 1, .align = 1, .name = "void"};

static uint32_t round8(uint32_t n)
{
	return (n + 7) & ~7u;
}

const struct eq_type *ty_new(struct arena *a, struct eq_type t)
{
	struct eq_type *n = ARENA_NEW(a, struct eq_type);
	*n = t;
	return n;
}

const struct eq_type *ty_str(struct arena *a, uint32_t size)
{
	return ty_new(a, (struct eq_type){.kind = TY_STR, .size = size});
}

const struct eq_type *ty_agg(struct arena *a, enum agg_kind agg, bool is_signed)
{
	return ty_new(a, (struct eq_type){.kind = TY_AGG, .size = 8, .agg = agg, .is_signed = is_signed});
}

/* Both are {u64, u64}: the stack id or the address, and the pid of the
 * process whose stack or address it is (0 for the kernel's). */
const struct eq_type *ty_stack(struct arena *a, bool user, uint8_t mode, uint16_t frames)
{
	return ty_new(a, (struct eq_type){.kind = TY_STACK, .size = 16, .align = 8, .user = user,
					  .stack_mode = mode, .frames = frames});
}

const struct eq_type *ty_symbol(struct arena *a, bool user)
{
	return ty_new(a, (struct eq_type){.kind = TY_SYMBOL, .size = 16, .align = 8, .user = user});
}

const struct eq_type *ty_text(struct arena *a, enum ty_text text, uint32_t size, const char *format)
{
	return ty_new(a, (struct eq_type){.kind = TY_TEXT, .size = size, .align = 8, .text = text,
					  .name = format});
}

uint32_t ty_slot_size(const struct eq_type *t)
{
	return t->kind == TY_INT || t->kind == TY_PTR ? 8 : round8(t->size);
}

/* ---- C types ------------------------------------------------------------------ */

const struct eq_type *ty_int(struct arena *a, uint32_t size, bool is_signed)
{
	static const char *const names[2][9] = {
		{[1] = "uint8", [2] = "uint16", [4] = "uint32", [8] = "uint64"},
		{[1] = "int8", [2] = "int16", [4] = "int32", [8] = "int64"},
	};
	return ty_new(a, (struct eq_type){.kind = TY_INT, .size = size, .align = size,
		.is_signed = is_signed, .name = size <= 8 ? names[is_signed][size] : NULL});
}

const struct eq_type *ty_ptr(struct arena *a, const struct eq_type *elem, enum ty_space space)
{
	return ty_new(a, (struct eq_type){.kind = TY_PTR, .size = 8, .align = 8, .elem = elem,
					  .space = space});
}

const struct eq_type *ty_array(struct arena *a, const struct eq_type *elem, uint32_t count)
{
	return ty_new(a, (struct eq_type){.kind = TY_ARRAY, .size = elem->size * count,
		.align = elem->align ? elem->align : 1, .elem = elem, .count = count});
}

const struct ty_field *ty_record_fields(const struct eq_type *t, int *n)
{
	if (t->lazy && !t->fields)
		return t->lazy->fields(t->lazy, n);
	*n = t->nfields;
	return t->fields;
}

uint32_t ty_size_of(const struct eq_type *t)
{
	int n;
	if (t->kind == TY_RECORD && t->lazy && !t->fields)
		ty_record_fields(t, &n); /* a kernel struct named before BTF was read */
	return t->size;
}

const struct ty_field *ty_find_field(struct arena *a, const struct eq_type *t, const char *name,
				     struct ty_field *out)
{
	int n;
	const struct ty_field *f = ty_record_fields(t, &n);
	for (int i = 0; i < n; i++) {
		if (f[i].name && !strcmp(f[i].name, name)) {
			*out = f[i];
			return out;
		}
		if (!f[i].name && f[i].type->kind == TY_RECORD &&
		    ty_find_field(a, f[i].type, name, out)) { /* an anonymous struct or union */
			out->offset += f[i].offset;
			out->bit_offset += f[i].offset * 8;
			return out;
		}
	}
	return NULL;
}

int ty_field_path(const struct eq_type *t, const char *name, uint32_t *path, int max)
{
	int n;
	const struct ty_field *f = ty_record_fields(t, &n);
	for (int i = 0; i < n && max > 0; i++) {
		path[0] = (uint32_t)i;
		if (f[i].name && !strcmp(f[i].name, name))
			return 1;
		int below;
		if (!f[i].name && f[i].type->kind == TY_RECORD &&
		    (below = ty_field_path(f[i].type, name, path + 1, max - 1)) > 0)
			return below + 1;
	}
	return 0;
}

bool ty_is_chars(const struct eq_type *t)
{
	return t->kind == TY_ARRAY && t->elem->kind == TY_INT && t->elem->size == 1;
}

const char *ty_c_name(struct arena *a, const struct eq_type *t)
{
	switch (t->kind) {
	case TY_PTR:
		return arena_printf(a, "%s *", ty_c_name(a, t->elem));
	case TY_ARRAY:
		return arena_printf(a, "%s[%u]", ty_c_name(a, t->elem), t->count);
	case TY_RECORD:
		return t->name ? t->name : t->is_union ? "union (anonymous)" : "struct (anonymous)";
	case TY_INT:
		if (t->name)
			return t->name;
		return arena_printf(a, "%sint%u", t->is_signed ? "" : "u", t->size * 8);
	case TY_VOID:
		return "void";
	default:
		return ty_name(a, t);
	}
}

const struct eq_type *ty_tuple(struct arena *a, const struct eq_type *const *elems, int n)
{
	struct ty_field *fields = ARENA_ARRAY(a, struct ty_field, n + 1);
	uint32_t off = 0;
	for (int i = 0; i < n; i++) {
		fields[i] = (struct ty_field){elems[i], off};
		off += ty_slot_size(elems[i]);
	}
	return ty_new(a, (struct eq_type){.kind = TY_TUPLE, .size = off, .fields = fields, .nfields = n});
}

const char *agg_name(enum agg_kind agg)
{
	static const char *const names[] = {
		[AGG_COUNT] = "count", [AGG_SUM] = "sum", [AGG_AVG] = "avg", [AGG_MIN] = "min",
		[AGG_MAX] = "max", [AGG_STATS] = "stats", [AGG_HIST] = "hist", [AGG_LHIST] = "lhist",
	};
	return names[agg];
}

/* The element list of a tuple, as in "(int, string)". */
static void tuple_elements(struct arena *a, const struct eq_type *t, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "(");
	for (int i = 0; i < t->nfields && n < size; i++) {
		const struct eq_type *e = t->fields[i].type;
		char inner[96];
		const char *name = e->kind == TY_INT ? "int" : e->kind == TY_STR ? "string" : inner;
		if (e->kind == TY_TUPLE)
			tuple_elements(a, e, inner, sizeof(inner));
		else if (e->kind != TY_INT && e->kind != TY_STR)
			snprintf(inner, sizeof(inner), "%s", ty_name(a, e));
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", name);
	}
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

const char *ty_name(struct arena *a, const struct eq_type *t)
{
	switch (t->kind) {
	case TY_NONE: return "nothing";
	case TY_INT: return "an integer";
	case TY_STR: return "a string";
	case TY_MAP: return "a map";
	case TY_AGG: return arena_printf(a, "%s()", agg_name(t->agg));
	case TY_VOID: return "void";
	case TY_PTR: return arena_printf(a, "a pointer (%s)", ty_c_name(a, t));
	case TY_ARRAY: return arena_printf(a, "an array (%s)", ty_c_name(a, t));
	case TY_RECORD: return arena_printf(a, "a %s", ty_c_name(a, t));
	case TY_STACK: { /* as the script wrote it: kstack, kstack(3), ustack(perf, 127) */
		const char *name = t->user ? "ustack" : "kstack", *kind = t->user ? "user" : "kernel";
		if (t->stack_mode == EQ_STACK_PERF)
			return arena_printf(a, "a %s stack (%s(perf, %u))", kind, name, t->frames);
		if (t->frames == 127) /* bpftrace's default */
			return arena_printf(a, "a %s stack (%s)", kind, name);
		return arena_printf(a, "a %s stack (%s(%u))", kind, name, t->frames);
	}
	case TY_SYMBOL: return t->user ? "a user symbol (usym)" : "a kernel symbol (ksym)";
	case TY_TEXT: {
		static const char *const what[] = {
			[TEXT_INET] = "an address (ntop)", [TEXT_USERNAME] = "a user name (username)",
			[TEXT_CGROUP] = "a cgroup path (cgroup_path)", [TEXT_TIME] = "a time (strftime)",
			[TEXT_BUF] = "a buffer (buf)",
		};
		return what[t->text];
	}
	case TY_TUPLE: {
		char buf[200];
		tuple_elements(a, t, buf, sizeof(buf));
		return arena_printf(a, "a tuple %s", buf);
	}
	}
	return "?";
}

bool ty_compatible(const struct eq_type *a, const struct eq_type *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == TY_AGG)
		return a->agg == b->agg && (a->agg != AGG_LHIST || (a->lhist_min == b->lhist_min &&
			a->lhist_max == b->lhist_max && a->lhist_step == b->lhist_step));
	if (a->kind == TY_RECORD) /* the same struct, whether named or met twice */
		return a == b || (a->name && b->name && !strcmp(a->name, b->name) && a->size == b->size);
	if (a->kind == TY_ARRAY)
		return a->count == b->count && ty_compatible(a->elem, b->elem);
	if (a->kind == TY_STACK) /* one stack map and one way to print */
		return a->user == b->user && a->stack_mode == b->stack_mode && a->frames == b->frames;
	if (a->kind == TY_SYMBOL)
		return a->user == b->user;
	if (a->kind == TY_TEXT) /* one way to print; a buffer takes the bigger size */
		return a->text == b->text && (a->text != TEXT_TIME || !strcmp(a->name, b->name));
	if (a->kind != TY_TUPLE)
		return true; /* integers, strings; pointers of any kind mix as in C casts */
	if (a->nfields != b->nfields)
		return false;
	for (int i = 0; i < a->nfields; i++)
		if (!ty_compatible(a->fields[i].type, b->fields[i].type))
			return false;
	return true;
}

const struct eq_type *ty_unify(struct arena *a, const struct eq_type *x, const struct eq_type *y)
{
	if (x->kind == TY_STR || (x->kind == TY_TEXT && x->text == TEXT_BUF))
		return y->size > x->size ? y : x;
	if (x->kind != TY_TUPLE)
		return x; /* an integer keeps the signedness it was first given */
	const struct eq_type *elems[x->nfields + 1];
	bool same = true;
	for (int i = 0; i < x->nfields; i++) {
		elems[i] = ty_unify(a, x->fields[i].type, y->fields[i].type);
		same = same && elems[i] == x->fields[i].type;
	}
	return same ? x : ty_tuple(a, elems, x->nfields);
}

const struct eq_type *agg_read_type(const struct eq_type *agg)
{
	switch (agg->agg) {
	case AGG_COUNT:
		return &ty_u64;
	case AGG_SUM: case AGG_MIN: case AGG_MAX:
		return agg->is_signed ? &ty_s64 : &ty_u64;
	case AGG_AVG:
		return &ty_s64;
	default:
		return NULL;
	}
}

uint32_t agg_value_size(const struct eq_type *agg)
{
	switch (agg->agg) {
	case AGG_AVG: case AGG_STATS: case AGG_MIN: case AGG_MAX:
		return 16;
	default:
		return 8;
	}
}

uint32_t agg_buckets(const struct eq_type *agg)
{
	if (agg->agg == AGG_HIST)
		return 65; /* negative, 0, and 2^k <= v < 2^(k+1) for k = 0..62 */
	if (agg->agg == AGG_LHIST)
		return (uint32_t)(((uint64_t)agg->lhist_max - (uint64_t)agg->lhist_min) /
				  (uint64_t)agg->lhist_step) + 2;
	return 1;
}

void ty_print(FILE *out, const struct eq_type *t)
{
	switch (t->kind) {
	case TY_NONE: fputs("none", out); return;
	case TY_INT: fputs(t->name ? t->name : t->is_signed ? "int64" : "uint64", out); return;
	case TY_STR: fprintf(out, "string[%u]", t->size); return;
	case TY_MAP: fputs("map", out); return;
	case TY_VOID: fputs("void", out); return;
	case TY_AGG: fprintf(out, "%s()", agg_name(t->agg)); return;
	case TY_PTR:
		ty_print(out, t->elem);
		fputs(t->space == SPACE_USER ? " *(user)" : t->space == SPACE_KERNEL ? " *(kernel)" : " *", out);
		return;
	case TY_ARRAY:
		ty_print(out, t->elem);
		fprintf(out, "[%u]", t->count);
		return;
	case TY_RECORD:
		fputs(t->name ? t->name : t->is_union ? "union (anonymous)" : "struct (anonymous)", out);
		return;
	case TY_STACK:
		fprintf(out, "%s(%s, %u)", t->user ? "ustack" : "kstack",
			t->stack_mode == EQ_STACK_PERF ? "perf" : "bpftrace", t->frames);
		return;
	case TY_SYMBOL:
		fputs(t->user ? "usym" : "ksym", out);
		return;
	case TY_TEXT: {
		static const char *const name[] = {[TEXT_INET] = "inet", [TEXT_USERNAME] = "username",
						   [TEXT_CGROUP] = "cgroup_path", [TEXT_TIME] = "timestamp",
						   [TEXT_BUF] = "buffer"};
		fprintf(out, "%s[%u]", name[t->text], t->size);
		return;
	}
	case TY_TUPLE:
		fputc('(', out);
		for (int i = 0; i < t->nfields; i++) {
			fputs(i ? ", " : "", out);
			ty_print(out, t->fields[i].type);
		}
		fputc(')', out);
		return;
	}
}
