/* fentry.c - fentry:FUNC and fexit:FUNC (kfunc, kretfunc): BPF trampolines
 * on kernel functions, loaded against the function's id in the kernel's
 * BTF, which also types their arguments (args->NAME) and return value.
 * kprobes fall back on them where the kernel has no kprobes (kprobe.c).
 */
#include "probes.h"

#include <bpf/btf.h>

#include <string.h>

enum { ENTRY, RETURN };

/* A BTF type with typedefs and qualifiers peeled off. */
static const struct btf_type *btf_resolve(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t) ||
		     btf_is_type_tag(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* A parameter or return value as a context field: every one takes a u64
 * slot of the trampoline's context; integers keep their width and sign,
 * pointers and enums are unsigned words.  False for what fits no register
 * (a struct passed by value). */
static bool btf_field(const struct btf *btf, uint32_t type_id, struct tp_field *f)
{
	const struct btf_type *t = btf_resolve(btf, type_id);
	f->kind = TPF_INT;
	f->size = 8;
	f->bits = 64;
	f->is_signed = false;
	if (!t)
		return false;
	if (btf_is_ptr(t))
		return true;
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		f->bits = (uint8_t)(t->size * 8);
		return true;
	}
	if (btf_is_int(t) && t->size <= 8) {
		f->bits = (uint8_t)(t->size * 8);
		f->is_signed = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		return true;
	}
	return false;
}

/* The kernel's BTF, parsed on first use; NULL if it cannot be read. */
const struct btf *probe_kernel_btf(const struct eq_target *target, struct probe_cache *c)
{
	if (!c->kernel_btf_read && target->kernel_btf)
		c->kernel_btf = btf__parse(target->kernel_btf, NULL);
	c->kernel_btf_read = true;
	return c->kernel_btf;
}

static const struct btf *kernel_btf(struct probe_resolve *r)
{
	return probe_kernel_btf(r->target, r->cache);
}

bool probe_kernel_member(const struct eq_target *target, struct probe_cache *cache,
			 const char *type, const char *member, uint32_t *offset)
{
	const struct btf *btf = probe_kernel_btf(target, cache);
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;
	for (int i = 0; m && i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		if (name && !strcmp(name, member) && btf_member_bitfield_size(t, (uint32_t)i) == 0) {
			*offset = btf_member_bit_offset(t, (uint32_t)i) / 8;
			return true;
		}
	}
	return false;
}

void probe_cache_free(struct probe_cache *cache)
{
	btf__free(cache->kernel_btf);
	*cache = (struct probe_cache){0};
}

int fentry_point(struct probe_resolve *r, const char *func, bool ret, bool report,
			struct attach_point *out)
{
	const char *kind = ret ? "fexit" : "fentry";
	const char *path = r->target->kernel_btf;
	const struct btf *btf = kernel_btf(r);
	if (!btf) {
		if (report)
			diag_error(r->diag, r->spec->loc, "%s probes need the kernel's BTF, and %s cannot be read",
			   kind, path ? path : "/sys/kernel/btf/vmlinux");
		return -1;
	}
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, (uint32_t)id)->type) : NULL;
	if (!proto || !btf_is_func_proto(proto)) {
		if (report)
			diag_error(r->diag, r->spec->loc, "no kernel function '%s' in the kernel's BTF", func);
		return -1;
	}
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s", kind, func),
		.func = func,
		.attach = ret ? EQ_ATTACH_FEXIT : EQ_ATTACH_FENTRY,
		.prog_type = BPF_PROG_TYPE_TRACING,
		.target = func,
		.target_btf_id = (uint32_t)id,
		.ctx = ret ? CTX_FEXIT : CTX_FENTRY,
		.format = ARENA_NEW(r->arena, struct tp_format),
	};
	p.note = arena_printf(r->arena, "%s trampoline on %s (BTF id %d)", kind, func, id);
	/* the context is u64 args[nargs] and, for fexit, the return value after them */
	const struct btf_param *params = btf_params(proto);
	int nargs = btf_vlen(proto);
	for (int i = 0; i < nargs; i++) {
		struct tp_field f = {.name = arena_strdup(r->arena, btf__name_by_offset(btf, params[i].name_off)),
				     .offset = 8 * (uint32_t)i};
		if (btf_field(btf, params[i].type, &f) && *f.name)
			ARENA_PUSH(r->arena, *p.format, f);
	}
	p.nargs = nargs;
	struct tp_field rv = {.name = "$retval", .offset = 8 * (uint32_t)nargs};
	if (ret && proto->type && btf_field(btf, proto->type, &rv))
		p.retval = ARENA_NEW(r->arena, struct tp_field), *p.retval = rv;
	*out = p;
	return 0;
}

static int resolve_fentry(struct probe_resolve *r, const struct probe_kind *k, const char *func)
{
	bool ret = k->variant == RETURN;
	const char *kind = ret ? "fexit" : "fentry";
	struct attach_point p;
	if (!*func || strchr(func, ':') || probe_has_wildcard(func)) {
		diag_error(r->diag, r->spec->loc, "a %s probe is written %s:FUNCTION%s", kind, kind,
			   probe_has_wildcard(func) ? " (no wildcards yet)" : "");
		return -1;
	}
	if (fentry_point(r, func, ret, true, &p))
		return -1;
	probe_add_point(r, p);
	return 0;
}

/* ---- context layouts ----------------------------------------------------- */

/* u64 args[nargs], as many as the prototype has */
static bool trampoline_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	out->offset = 8 * (uint32_t)n;
	return n < ap->nargs;
}

/* after the arguments, typed by the prototype; none for void */
static bool fexit_retval(const struct attach_point *ap, struct tp_field *out)
{
	if (ap->retval)
		*out = *ap->retval;
	return ap->retval != NULL;
}

static const struct probe_kind kinds[] = {
	{"fentry", "kfunc", "f", resolve_fentry, ENTRY},
	{"fexit", "kretfunc", "fr", resolve_fentry, RETURN},
	{NULL},
};

static const struct probe_context fentry = {CTX_FENTRY, "fentry probes", trampoline_arg, NULL},
	fexit = {CTX_FEXIT, "fexit probes", trampoline_arg, fexit_retval};
static const struct probe_context *const contexts[] = {&fentry, &fexit, NULL};

/* -l lists no kernel functions */
const struct probe_provider probes_fentry = {
	.family = "fentry",
	.kinds = kinds,
	.contexts = contexts,
};
