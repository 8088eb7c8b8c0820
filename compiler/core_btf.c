/* core_btf.c - the kernel types an --aot object's CO-RE relocations name.
 *
 * A relocation says "the offset of the member this access path reaches from
 * struct task_struct"; the loading kernel parses the path in the object's
 * own BTF (the "local" types), finds the struct of the same name in its
 * BTF, matches each member by name, and patches the instruction with the
 * offset it has there (kernel/bpf/relo_core.c).  So the object carries the
 * structs on each path as the compiling kernel had them, as far as the
 * path goes: the members on a path at their offsets and with their real
 * types (the kernel checks that they are compatible with its own: an int
 * for an int, a struct for a struct, an array of the same kind of
 * element), and between them, in place of the members no path reads, one
 * unnamed run of bytes each, so that the offsets the instructions hold
 * are the ones the local types give.  A pointer is a void pointer (any two
 * pointers are compatible) and an enum an anonymous one of its size (which
 * matches any enum).  A path's member indexes are renumbered for the
 * copies.  That keeps a script reading curtask->comm to a hundred bytes of
 * BTF instead of the megabytes task_struct reaches.
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
		uint32_t local;  /* its index in the record's copy */
	} *on_path;
	int npath, path_cap;
	int byte_id, index_id;
	struct sized {       /* runs of bytes, by size */
		uint32_t size;
		int id;
	} *arrays;
	int narrays, arrays_cap;
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

static struct on_path *find_on_path(const struct copier *c, uint32_t record, uint32_t member)
{
	for (int i = 0; i < c->npath; i++)
		if (c->on_path[i].record == record && c->on_path[i].member == member)
			return &c->on_path[i];
	return NULL;
}

static bool mark(struct copier *c, uint32_t record, uint32_t member)
{
	if (find_on_path(c, record, member))
		return true;
	if (c->npath == c->path_cap) {
		int cap = c->path_cap ? 2 * c->path_cap : 16;
		struct on_path *p = realloc(c->on_path, sizeof(*p) * (size_t)cap);
		if (!p)
			return false;
		c->on_path = p;
		c->path_cap = cap;
	}
	c->on_path[c->npath++] = (struct on_path){record, member, 0};
	return true;
}

/* One step of an access path ("0:5:2"): *p at the ':' before the next
 * index, *id the type it indexes (typedefs and qualifiers skipped); the
 * step's struct or array is *from (its id *from_id) and its index *index;
 * *id moves on to the member's or element's type, *p to the next ':' or
 * NULL.  False where the index does not fit the type. */
static bool path_step(const struct btf *btf, uint32_t *id, const char **p, const struct btf_type **from,
		      uint32_t *from_id, unsigned long *index)
{
	char *end;
	*index = strtoul(*p + 1, &end, 10);
	*p = *end == ':' ? end : NULL;
	*from_id = *id;
	const struct btf_type *t = *from = btf__type_by_id(btf, *id);
	if (t && btf_is_composite(t) && *index < btf_vlen(t))
		*id = skip_modifiers(btf, btf_members(t)[*index].type);
	else if (t && btf_is_array(t))
		*id = skip_modifiers(btf, btf_array(t)->type);
	else
		return false;
	return true;
}

/* Walk one access path through the kernel's types: before copying, mark
 * its members (-EINVAL if it does not fit them: an index past a struct's
 * members); after, write it with the copies' member indexes into local
 * (which has room for twice path's digits: a run of padding before a
 * member can make its index larger). */
static int walk_path(struct copier *c, uint32_t root, const char *path, char *local)
{
	uint32_t id = skip_modifiers(c->kernel, root);
	const struct btf_type *t = btf__type_by_id(c->kernel, id);
	if (!t || !btf_is_composite(t))
		return -EINVAL;
	const char *p = strchr(path, ':'); /* the first index is the pointer's element */
	if (local)
		local += sprintf(local, "%.*s", p ? (int)(p - path) : (int)strlen(path), path);
	while (p) {
		uint32_t record;
		unsigned long index;
		if (!path_step(c->kernel, &id, &p, &t, &record, &index))
			return -EINVAL;
		unsigned long renumbered = index;
		if (btf_is_composite(t) && !local && !mark(c, record, (uint32_t)index))
			return -ENOMEM;
		if (btf_is_composite(t) && local)
			renumbered = find_on_path(c, record, (uint32_t)index)->local;
		if (local)
			local += sprintf(local, ":%lu", renumbered);
	}
	return 0;
}

void core_btf_describe(FILE *out, const struct btf *kernel, uint32_t root, const char *path)
{
	uint32_t id = skip_modifiers(kernel, root);
	const struct btf_type *t = btf__type_by_id(kernel, id);
	const char *name = t ? btf__name_by_offset(kernel, t->name_off) : NULL;
	fprintf(out, "%s %s %s (", t && btf_is_union(t) ? "union" : "struct", name && *name ? name : "(anonymous)",
		path);
	const char *sep = "";
	for (const char *p = strchr(path, ':'); p;) {
		uint32_t record;
		unsigned long index;
		if (!path_step(kernel, &id, &p, &t, &record, &index))
			break;
		const char *member = btf_is_composite(t) ? btf__name_by_offset(kernel, btf_members(t)[index].name_off)
							 : NULL;
		if (!btf_is_composite(t))
			fprintf(out, "[%lu]", index);
		else if (member && *member) /* an anonymous struct or union adds no name */
			fprintf(out, "%s%s", sep, member);
		sep = member && *member ? "." : sep;
	}
	fputc(')', out);
}

/* An array of `size` bytes, one per size. */
static int bytes_of(struct copier *c, uint32_t size)
{
	for (int i = 0; i < c->narrays; i++)
		if (c->arrays[i].size == size)
			return c->arrays[i].id;
	if (c->narrays == c->arrays_cap) {
		int cap = c->arrays_cap ? 2 * c->arrays_cap : 16;
		struct sized *t = realloc(c->arrays, sizeof(*t) * (size_t)cap);
		if (!t)
			return -ENOMEM;
		c->arrays = t;
		c->arrays_cap = cap;
	}
	int id = btf__add_array(c->out, c->index_id, c->byte_id, size);
	if (id > 0)
		c->arrays[c->narrays++] = (struct sized){size, id};
	return id;
}

static int copy_type(struct copier *c, uint32_t id);

/* A member of a copied record: on a path (a bit-field too), or a run of
 * bytes standing in for the members no path reads, from the byte after
 * the last kept member's last bit to the next kept member's first byte. */
struct kept {
	const char *name;
	int type;
	uint32_t bit_offset, bit_size; /* bit_size: of a bit-field on a path, else 0 */
};

static int copy_record(struct copier *c, uint32_t id, const struct btf_type *t)
{
	uint32_t n = btf_vlen(t);
	struct kept *kept = calloc(2 * n + 2, sizeof(*kept));
	if (!kept)
		return -ENOMEM;
	int nkept = 0, rc = 0;
	uint32_t run_start = 0; /* the bytes no kept member holds yet, in bits */
	for (uint32_t i = 0; i <= n && !rc; i++) {
		struct on_path *on = i < n ? find_on_path(c, id, i) : NULL;
		if (i < n && !on)
			continue;
		/* a member on a path, or the end: what lies before it is a run */
		uint32_t at = i < n ? btf_member_bit_offset(t, i) : t->size * 8;
		if (btf_is_union(t))
			at = i < n ? 0 : t->size * 8;
		if (at > run_start && !btf_is_union(t)) {
			int bytes = bytes_of(c, (at - run_start) / 8);
			kept[nkept++] = (struct kept){NULL, bytes, run_start, 0};
			rc = bytes < 0 ? bytes : 0;
		}
		if (i == n || rc)
			break;
		on->local = (uint32_t)nkept;
		const struct btf_member *m = btf_members(t) + i;
		const char *name = btf__name_by_offset(c->kernel, m->name_off);
		int type = copy_type(c, skip_modifiers(c->kernel, m->type));
		uint32_t bit_size = btf_member_bitfield_size(t, i);
		kept[nkept++] = (struct kept){name && *name ? name : NULL, type, btf_member_bit_offset(t, i), bit_size};
		rc = type < 0 ? type : 0;
		long long size = btf__resolve_size(c->kernel, m->type);
		/* the next run starts at a byte: after a bit-field, the byte after its last bit */
		uint32_t end = kept[nkept - 1].bit_offset + (bit_size ? bit_size : size > 0 ? (uint32_t)size * 8 : 0);
		end = (end + 7) / 8 * 8;
		run_start = end > run_start ? end : run_start;
	}
	/* a union's members all start at 0: one run as big as it holds the rest */
	if (!rc && btf_is_union(t)) {
		int bytes = bytes_of(c, t->size);
		kept[nkept++] = (struct kept){NULL, bytes, 0, 0};
		rc = bytes < 0 ? bytes : 0;
	}
	/* the members follow their struct: every type they name is made first */
	const char *name = btf__name_by_offset(c->kernel, t->name_off);
	name = name && *name ? name : NULL;
	int local = rc ? rc : btf_is_union(t) ? btf__add_union(c->out, name, t->size)
				       : btf__add_struct(c->out, name, t->size);
	for (int k = 0; local > 0 && k < nkept; k++) {
		int added = btf__add_field(c->out, kept[k].name, kept[k].type, kept[k].bit_offset, kept[k].bit_size);
		if (added < 0)
			local = added;
	}
	free(kept);
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
		local = bytes_of(c, size > 0 ? (uint32_t)size : 0);
	}
	}
	if (local > 0 && id < c->nkernel)
		c->local_of[id] = local;
	return local;
}

void *core_btf_build(const struct btf *kernel, struct core_btf_access *accesses, int n, struct arena *a,
		     uint32_t *size, int *error)
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
		rc = walk_path(&c, accesses[i].kernel_id, accesses[i].path, NULL);
	for (int i = 0; !rc && i < n; i++) {
		int type = copy_type(&c, skip_modifiers(kernel, accesses[i].kernel_id));
		char *local = malloc(2 * strlen(accesses[i].path) + 16); /* padding runs may add indexes */
		rc = type < 0 ? type : !local ? -ENOMEM : walk_path(&c, accesses[i].kernel_id, accesses[i].path, local);
		int str = rc ? rc : btf__add_str(c.out, local);
		free(local);
		rc = str < 0 ? str : 0;
		accesses[i].type_id = (uint32_t)type;
		accesses[i].access_str_off = (uint32_t)str;
	}
	void *copy = NULL;
	if (!rc) {
		const void *raw = btf__raw_data(c.out, size);
		if (raw)
			copy = memcpy(arena_alloc(a, *size), raw, *size);
		else
			rc = -ENOMEM;
	}
	*error = rc;
	btf__free(c.out);
	free(c.local_of);
	free(c.on_path);
	free(c.arrays);
	return copy;
}
