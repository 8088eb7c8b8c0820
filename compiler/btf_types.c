/* btf_types.c - the kernel's types, read from its BTF (/sys/kernel/btf/vmlinux)
 * as ebq types.
 *
 * A type is converted when a script names it (a cast, curtask, a raw
 * tracepoint's arguments), and a struct's members only when one is
 * accessed: task_struct reaches most of the kernel's types through its
 * pointers, and converting that graph for one `curtask->pid` would cost
 * more than the whole compile.  Converted types are kept by BTF id, so a
 * type met twice is the same eq_type.
 */
#include "btf_types.h"

#include <bpf/btf.h>
#include <stdlib.h>
#include <string.h>

struct btf_types {
	struct arena *arena;
	const struct btf *btf;
	const struct eq_type **by_id; /* converted types, by BTF id */
	uint32_t ntypes;
	/* enumerator names to values, read on the first lookup */
	struct enum_value {
		const char *name;
		int64_t value;
	} *enums;
	uint32_t nenums;
	bool enums_read;
};

/* A struct or union whose members are converted on first use. */
struct btf_lazy {
	struct ty_lazy lazy; /* first: the type points here */
	struct btf_types *bt;
	uint32_t id;
	struct eq_type *record;
};

struct btf_types *btf_types_new(struct arena *a, const struct btf *btf)
{
	struct btf_types *bt = ARENA_NEW(a, struct btf_types);
	bt->arena = a;
	bt->btf = btf;
	bt->ntypes = btf__type_cnt(btf);
	bt->by_id = ARENA_ARRAY(a, const struct eq_type *, bt->ntypes + 1);
	return bt;
}

/* The largest power of two, up to 8, that divides n: BTF keeps no
 * alignment, and a struct is aligned as its widest member, which divides
 * its size. */
static uint32_t align_of_size(uint32_t n)
{
	uint32_t a = 8;
	while (a > 1 && n % a)
		a /= 2;
	return a;
}

static const struct ty_field *lazy_fields(const struct ty_lazy *lazy, int *n)
{
	const struct btf_lazy *l = (const struct btf_lazy *)lazy;
	struct eq_type *rec = l->record;
	if (!rec->fields) {
		const struct btf_type *t = btf__type_by_id(l->bt->btf, l->id);
		const struct btf_member *m = btf_members(t);
		int count = btf_vlen(t);
		struct ty_field *f = ARENA_ARRAY(l->bt->arena, struct ty_field, count + 1);
		for (int i = 0; i < count; i++, m++) {
			const char *name = btf__name_by_offset(l->bt->btf, m->name_off);
			uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);
			f[i] = (struct ty_field){
				.type = btf_types_by_id(l->bt, m->type), .offset = bits / 8,
				.name = name && *name ? name : NULL, .bit_offset = bits,
				.bit_size = (uint8_t)btf_member_bitfield_size(t, (uint32_t)i),
			};
		}
		rec->nfields = count;
		rec->fields = f;
	}
	*n = rec->nfields;
	return rec->fields;
}

static const struct eq_type *convert(struct btf_types *bt, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(bt->btf, id);
	struct arena *a = bt->arena;
	if (!t || id == 0)
		return &ty_void;
	const char *name = btf__name_by_offset(bt->btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		bool sign = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		uint32_t size = t->size <= 8 ? t->size : 8;
		struct eq_type it = *ty_int(a, size, sign);
		it.name = name && *name ? name : it.name;
		return ty_new(a, it);
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
		struct eq_type it = *ty_int(a, t->size <= 8 ? t->size : 8, btf_kflag(t));
		it.name = name && *name ? arena_printf(a, "enum %s", name) : "enum (anonymous)";
		return ty_new(a, it);
	}
	case BTF_KIND_PTR:
		return ty_ptr(a, btf_types_by_id(bt, t->type), SPACE_KERNEL);
	case BTF_KIND_ARRAY: {
		const struct btf_array *arr = btf_array(t);
		return ty_array(a, btf_types_by_id(bt, arr->type), arr->nelems);
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_FWD: {
		bool is_union = btf_kind(t) == BTF_KIND_UNION || (btf_is_fwd(t) && btf_kflag(t));
		struct eq_type *rec = ARENA_NEW(a, struct eq_type);
		*rec = (struct eq_type){.kind = TY_RECORD, .is_union = is_union,
			.name = name && *name ? arena_printf(a, "%s %s", is_union ? "union" : "struct", name)
					      : NULL};
		if (btf_is_fwd(t)) {
			rec->incomplete = true;
			return rec;
		}
		rec->size = t->size;
		rec->align = align_of_size(t->size);
		rec->btf_id = id;
		struct btf_lazy *l = ARENA_NEW(a, struct btf_lazy);
		*l = (struct btf_lazy){{lazy_fields}, bt, id, rec};
		rec->lazy = &l->lazy;
		return rec;
	}
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return btf_types_by_id(bt, t->type);
	case BTF_KIND_FUNC_PROTO: case BTF_KIND_FUNC:
		return &ty_void; /* a function pointer is an address: void * */
	case BTF_KIND_FLOAT: /* the kernel keeps none in what tracing reads */
		return ty_int(a, t->size <= 8 ? t->size : 8, true);
	default:
		return &ty_void;
	}
}

const struct eq_type *btf_types_by_id(struct btf_types *bt, uint32_t id)
{
	if (id >= bt->ntypes)
		return &ty_void;
	/* a struct's members are converted only when read (lazy_fields), so a
	 * struct that points to itself does not recurse here */
	if (!bt->by_id[id])
		bt->by_id[id] = convert(bt, id);
	return bt->by_id[id];
}

const struct eq_type *btf_types_find(struct btf_types *bt, const char *name)
{
	static const struct {
		const char *prefix;
		int kind;
	} kinds[] = {{"struct ", BTF_KIND_STRUCT}, {"union ", BTF_KIND_UNION}, {"enum ", BTF_KIND_ENUM}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(name, kinds[i].prefix, n))
			continue;
		int id = btf__find_by_name_kind(bt->btf, name + n, kinds[i].kind);
		if (id < 0 && kinds[i].kind == BTF_KIND_ENUM)
			id = btf__find_by_name_kind(bt->btf, name + n, BTF_KIND_ENUM64);
		return id > 0 ? btf_types_by_id(bt, (uint32_t)id) : NULL;
	}
	int id = btf__find_by_name_kind(bt->btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return NULL;
	struct eq_type named = *btf_types_by_id(bt, (uint32_t)id);
	if (named.kind == TY_INT)
		named.name = btf__name_by_offset(bt->btf, btf__type_by_id(bt->btf, (uint32_t)id)->name_off);
	return named.kind == TY_INT ? ty_new(bt->arena, named) : btf_types_by_id(bt, (uint32_t)id);
}

static int by_enum_name(const void *a, const void *b)
{
	return strcmp(((const struct enum_value *)a)->name, ((const struct enum_value *)b)->name);
}

/* Every enumerator of the kernel, sorted by name for bsearch. */
static void read_enums(struct btf_types *bt)
{
	bt->enums_read = true;
	uint32_t cap = 0;
	for (uint32_t id = 1; id < bt->ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(bt->btf, id);
		if (btf_is_enum(t) || btf_is_enum64(t))
			cap += btf_vlen(t);
	}
	bt->enums = ARENA_ARRAY(bt->arena, struct enum_value, cap + 1);
	for (uint32_t id = 1; id < bt->ntypes; id++) {
		const struct btf_type *t = btf__type_by_id(bt->btf, id);
		for (int i = 0; btf_is_enum(t) && i < btf_vlen(t); i++)
			bt->enums[bt->nenums++] = (struct enum_value){
				btf__name_by_offset(bt->btf, btf_enum(t)[i].name_off),
				btf_kflag(t) ? btf_enum(t)[i].val : (int64_t)(uint32_t)btf_enum(t)[i].val};
		for (int i = 0; btf_is_enum64(t) && i < btf_vlen(t); i++)
			bt->enums[bt->nenums++] = (struct enum_value){
				btf__name_by_offset(bt->btf, btf_enum64(t)[i].name_off),
				(int64_t)btf_enum64_value(&btf_enum64(t)[i])};
	}
	qsort(bt->enums, bt->nenums, sizeof(*bt->enums), by_enum_name);
}

bool btf_types_enum_value(struct btf_types *bt, const char *name, int64_t *value)
{
	if (!bt->enums_read)
		read_enums(bt);
	struct enum_value key = {name, 0};
	const struct enum_value *e = bsearch(&key, bt->enums, bt->nenums, sizeof(*bt->enums), by_enum_name);
	if (e)
		*value = e->value;
	return e != NULL;
}

const struct eq_type *btf_types_func_arg(struct btf_types *bt, const char *typedef_name, int n)
{
	int id = btf__find_by_name_kind(bt->btf, typedef_name, BTF_KIND_TYPEDEF);
	const struct btf_type *t = id > 0 ? btf__type_by_id(bt->btf, (uint32_t)id) : NULL;
	while (t && (btf_is_typedef(t) || btf_is_ptr(t)))
		t = btf__type_by_id(bt->btf, t->type);
	if (!t || !btf_is_func_proto(t) || n >= btf_vlen(t))
		return NULL;
	return btf_types_by_id(bt, btf_params(t)[n].type);
}
