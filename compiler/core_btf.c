/* core_btf.c - the kernel types an --aot object's CO-RE relocations name.
 *
 * A relocation says "the offset of the member this access path reaches from
 * struct task_struct"; the loading kernel parses the path in the object's
 * own BTF (the "local" types), finds the struct of the same name in its
 * BTF, matches each member by name, and patches the instruction with the
 * offset it has there (kernel/bpf/relo_core.c).  So the object carries the
 * structs on each path as the compiling kernel had them: every member, at
 * its offset, so that the path's indexes and the offset the instruction
 * holds agree; the members on a path with their real types (the kernel
 * checks that they are compatible with its own: an int for an int, a
 * struct for a struct, an array of the same kind of element); every other
 * member as bytes of its size, or an int for a bit-field, which BTF wants.
 * A pointer is a void pointer (any two pointers are compatible) and an
 * enum an anonymous one of its size (which matches any enum).  That keeps
 * a script reading curtask->comm to a few hundred bytes of BTF instead of
 * the megabytes task_struct reaches.
 */
#include "core_btf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct copier {
	const struct btf *kernel;
	struct btf *out;
	int *local_of;       /* kernel id -> its copy's id, 0: not copied yet */
	uint32_t nkernel;
	struct on_path {     /* members some path goes through */
		uint32_t record, member;
	} *on_path;
	int npath, path_cap;
	int byte_id, index_id;
	struct sized {       /* stand-ins, by size: byte arrays, ints */
		uint32_t size;
		int id;
	} *arrays, *ints;
	int narrays, nints, arrays_cap, ints_cap;
};

/* The type under typedefs and qualifiers. */
static uint32_t skip_modifiers(const struct btf *btf, uint32_t id)
{
	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t || !(btf_is_typedef(t) || btf_is_mod(t)))
			return id;
		id = t->type;
	}
	return id;
}

static bool mark(struct copier *c, uint32_t record, uint32_t member)
{
	for (int i = 0; i < c->npath; i++)
		if (c->on_path[i].record == record && c->on_path[i].member == member)
			return true;
	if (c->npath == c->path_cap) {
		int cap = c->path_cap ? 2 * c->path_cap : 16;
		struct on_path *p = realloc(c->on_path, sizeof(*p) * (size_t)cap);
		if (!p)
			return false;
		c->on_path = p;
		c->path_cap = cap;
	}
	c->on_path[c->npath++] = (struct on_path){record, member};
	return true;
}

static bool is_on_path(const struct copier *c, uint32_t record, uint32_t member)
{
	for (int i = 0; i < c->npath; i++)
		if (c->on_path[i].record == record && c->on_path[i].member == member)
			return true;
	return false;
}

/* Walk one access path through the kernel's types, marking its members;
 * -EINVAL if it does not fit them (an index past a struct's members). */
static int mark_path(struct copier *c, uint32_t root, const char *path)
{
	uint32_t id = skip_modifiers(c->kernel, root);
	const struct btf_type *t = btf__type_by_id(c->kernel, id);
	if (!t || !btf_is_composite(t))
		return -EINVAL;
	const char *p = strchr(path, ':'); /* the first index is the pointer's element */
	while (p) {
		char *end;
		unsigned long index = strtoul(p + 1, &end, 10);
		p = *end == ':' ? end : NULL;
		t = btf__type_by_id(c->kernel, id);
		if (btf_is_composite(t)) {
			if (index >= btf_vlen(t))
				return -EINVAL;
			if (!mark(c, id, (uint32_t)index))
				return -ENOMEM;
			id = skip_modifiers(c->kernel, btf_members(t)[index].type);
		} else if (btf_is_array(t)) {
			id = skip_modifiers(c->kernel, btf_array(t)->type);
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* A type of `size` bytes from a small table, made on first use. */
static int sized(struct copier *c, struct sized **table, int *n, int *cap, uint32_t size, bool is_int)
{
	for (int i = 0; i < *n; i++)
		if ((*table)[i].size == size)
			return (*table)[i].id;
	if (*n == *cap) {
		int grown = *cap ? 2 * *cap : 16;
		struct sized *t = realloc(*table, sizeof(**table) * (size_t)grown);
		if (!t)
			return -ENOMEM;
		*table = t;
		*cap = grown;
	}
	char name[32];
	snprintf(name, sizeof(name), "u%u", size * 8);
	int id = is_int ? btf__add_int(c->out, name, size, 0)
			: btf__add_array(c->out, c->index_id, c->byte_id, size);
	if (id > 0)
		(*table)[(*n)++] = (struct sized){size, id};
	return id;
}

/* A member on no path: bytes of its size, or an int for a bit-field. */
static int stand_in(struct copier *c, const struct btf_type *record, uint32_t i)
{
	const struct btf_member *m = btf_members(record) + i;
	if (btf_member_bitfield_size(record, i)) {
		const struct btf_type *t = btf__type_by_id(c->kernel, skip_modifiers(c->kernel, m->type));
		return sized(c, &c->ints, &c->nints, &c->ints_cap, t ? t->size : 4, true);
	}
	long long size = btf__resolve_size(c->kernel, m->type);
	return sized(c, &c->arrays, &c->narrays, &c->arrays_cap, size > 0 ? (uint32_t)size : 0, false);
}

static int copy_type(struct copier *c, uint32_t id);

static int copy_record(struct copier *c, uint32_t id, const struct btf_type *t)
{
	uint32_t n = btf_vlen(t);
	int *types = calloc(n + 1, sizeof(int));
	if (!types)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		types[i] = is_on_path(c, id, i)
			 ? copy_type(c, skip_modifiers(c->kernel, btf_members(t)[i].type))
			 : stand_in(c, t, i);
		if (types[i] < 0) {
			int rc = types[i];
			free(types);
			return rc;
		}
	}
	/* the members follow their struct: every type they name is made first */
	const char *name = btf__name_by_offset(c->kernel, t->name_off);
	name = name && *name ? name : NULL;
	int local = btf_is_union(t) ? btf__add_union(c->out, name, t->size) : btf__add_struct(c->out, name, t->size);
	for (uint32_t i = 0; local > 0 && i < n; i++) {
		const char *member = btf__name_by_offset(c->kernel, btf_members(t)[i].name_off);
		int rc = btf__add_field(c->out, member && *member ? member : NULL, types[i],
					btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i));
		if (rc < 0)
			local = rc;
	}
	free(types);
	return local;
}

static int copy_type(struct copier *c, uint32_t id)
{
	if (id < c->nkernel && c->local_of[id])
		return c->local_of[id];
	const struct btf_type *t = btf__type_by_id(c->kernel, id);
	if (!t || id == 0)
		return 0; /* void */
	const char *name = btf__name_by_offset(c->kernel, t->name_off);
	int local;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		local = btf__add_int(c->out, name && *name ? name : "int", t->size, btf_int_encoding(t));
		break;
	case BTF_KIND_FLOAT:
		local = btf__add_float(c->out, name && *name ? name : "float", t->size);
		break;
	case BTF_KIND_PTR:
		local = btf__add_ptr(c->out, 0);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		local = btf__add_enum(c->out, NULL, t->size);
		break;
	case BTF_KIND_ARRAY: {
		int elem = copy_type(c, skip_modifiers(c->kernel, btf_array(t)->type));
		local = elem < 0 ? elem : btf__add_array(c->out, c->index_id, elem, btf_array(t)->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		local = copy_record(c, id, t);
		break;
	default: { /* nothing a path goes through: bytes of its size */
		long long size = btf__resolve_size(c->kernel, id);
		local = sized(c, &c->arrays, &c->narrays, &c->arrays_cap, size > 0 ? (uint32_t)size : 0, false);
	}
	}
	if (local > 0 && id < c->nkernel)
		c->local_of[id] = local;
	return local;
}

void *core_btf_build(const struct btf *kernel, struct core_btf_access *accesses, int n, uint32_t *size,
		     int *error)
{
	struct copier c = {.kernel = kernel, .nkernel = btf__type_cnt(kernel)};
	c.out = btf__new_empty();
	c.local_of = calloc(c.nkernel + 1, sizeof(int));
	int rc = c.out && c.local_of ? 0 : -ENOMEM;
	if (!rc) {
		c.index_id = btf__add_int(c.out, "int", 4, BTF_INT_SIGNED);
		c.byte_id = btf__add_int(c.out, "unsigned char", 1, 0);
		rc = c.index_id < 0 ? c.index_id : c.byte_id < 0 ? c.byte_id : 0;
	}
	for (int i = 0; !rc && i < n; i++)
		rc = mark_path(&c, accesses[i].kernel_id, accesses[i].path);
	for (int i = 0; !rc && i < n; i++) {
		int type = copy_type(&c, skip_modifiers(kernel, accesses[i].kernel_id));
		int str = type < 0 ? type : btf__add_str(c.out, accesses[i].path);
		rc = str < 0 ? str : 0;
		accesses[i].type_id = (uint32_t)type;
		accesses[i].access_str_off = (uint32_t)str;
	}
	void *copy = NULL;
	if (!rc) {
		const void *raw = btf__raw_data(c.out, size);
		copy = raw ? malloc(*size) : NULL;
		if (copy)
			memcpy(copy, raw, *size);
		else
			rc = -ENOMEM;
	}
	*error = rc;
	btf__free(c.out);
	free(c.local_of);
	free(c.on_path);
	free(c.arrays);
	free(c.ints);
	return copy;
}
