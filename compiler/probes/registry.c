/* registry.c - the probe providers in one table: a spec's kind is looked up
 * here by name, and a context layout by its enum; did-you-mean and -l read
 * the same table.  Adding a family is adding its provider to the table. */
#include "probes.h"

#include <fnmatch.h>
#include <string.h>

/* In this order did-you-mean offers names (the first of equally close ones)
 * and -l lists probes. */
static const struct probe_provider *const providers[] = {
	&probes_special, &probes_tracepoint, &probes_kprobe, &probes_uprobe, &probes_fentry,
	&probes_usdt, &probes_perf, &probes_watchpoint,
};
enum { NPROVIDERS = sizeof(providers) / sizeof(providers[0]) };

void probe_add_point(struct probe_resolve *r, struct attach_point p)
{
	p.loc = r->spec->loc;
	ARENA_PUSH(r->arena, *r->list, p);
}

bool probe_has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool kind_is(const char *name, const char *text, size_t len)
{
	return name && strlen(name) == len && !strncmp(name, text, len);
}

static const struct probe_kind *find_kind(const char *text, size_t len)
{
	for (int i = 0; i < NPROVIDERS; i++)
		for (const struct probe_kind *k = providers[i]->kinds; k->name; k++)
			if (kind_is(k->name, text, len) || kind_is(k->alias, text, len) ||
			    kind_is(k->short_name, text, len))
				return k;
	return NULL;
}

/* Every kind's full names, for did-you-mean (NULL-terminated): a family's
 * names, then its aliases. */
enum { MAX_KIND_NAMES = 64 };
static void kind_names(const char **names)
{
	int n = 0;
	for (int i = 0; i < NPROVIDERS; i++) {
		for (const struct probe_kind *k = providers[i]->kinds; k->name && n < MAX_KIND_NAMES - 1; k++)
			names[n++] = k->name;
		for (const struct probe_kind *k = providers[i]->kinds; k->name && n < MAX_KIND_NAMES - 1; k++)
			if (k->alias)
				names[n++] = k->alias;
	}
	names[n] = NULL;
}

int probe_resolve(const struct ast *spec, const struct eq_target *target, struct probe_cache *cache,
		  struct arena *arena, struct eq_diag *diag, struct attach_list *list, bool optional)
{
	struct probe_resolve r = {spec, target, cache, arena, diag, list, optional};
	const char *text = spec->name;
	const char *colon = strchr(text, ':');
	size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);
	const struct probe_kind *kind = find_kind(text, kind_len);
	if (kind)
		return kind->resolve(&r, kind, colon ? colon + 1 : "");
	char *name = arena_strndup(arena, text, kind_len);
	diag_error(diag, spec->loc, "unknown probe kind '%s'", name);
	const char *names[MAX_KIND_NAMES];
	kind_names(names);
	const char *close = diag_closest(name, names);
	if (close)
		diag_hint(diag, spec->loc, "did you mean `%s`?", close);
	return -1;
}

/* ---- context layouts ----------------------------------------------------- */

static const struct probe_context *find_context(enum ctx_layout ctx)
{
	for (int i = 0; i < NPROVIDERS; i++)
		for (const struct probe_context *const *c = providers[i]->contexts; c && *c; c++)
			if ((*c)->ctx == ctx)
				return *c;
	return NULL;
}

bool probe_ctx_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	*out = (struct tp_field){.kind = TPF_INT, .size = 8, .bits = 64}; /* an unsigned word */
	const struct probe_context *c = find_context(ap->ctx);
	return n >= 0 && c && c->arg && c->arg(ap, n, out);
}

bool probe_ctx_retval(const struct attach_point *ap, struct tp_field *out)
{
	*out = (struct tp_field){.kind = TPF_INT, .size = 8, .bits = 64, .is_signed = true};
	const struct probe_context *c = find_context(ap->ctx);
	return c && c->retval && c->retval(ap, out);
}

const char *probe_ctx_describe(enum ctx_layout ctx)
{
	const struct probe_context *c = find_context(ctx);
	return c ? c->describe : "this probe";
}

/* ---- -l ---------------------------------------------------------------------- */

bool probe_list_matches(const char *pattern, const char *name)
{
	if (!pattern || !*pattern)
		return true;
	if (!strpbrk(pattern, "*?[") && !strchr(pattern, ':'))
		return strstr(name, pattern) != NULL;
	return fnmatch(pattern, name, 0) == 0;
}

int probe_list_name(const struct probe_list *l, const char *name)
{
	if (!probe_list_matches(l->pattern, name))
		return 0;
	fprintf(l->out, "%s\n", name);
	return 1;
}

bool probe_list_kind_may_match(const char *pattern, const char *kind)
{
	if (!pattern || !strchr(pattern, ':'))
		return true;
	size_t n = strcspn(pattern, ":");
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%.*s", (int)n, pattern);
	return fnmatch(prefix, kind, 0) == 0;
}

int eq_list_probes(FILE *out, FILE *err, const char *pattern, const char *(*tracefs)(void), int pid,
		   bool verbose)
{
	struct probe_list l = {out, err, pattern, tracefs, pid, verbose};
	int found = 0;
	for (int i = 0; i < NPROVIDERS; i++) {
		/* -l -p PID: a process has user probes only */
		bool user = !strcmp(providers[i]->family, "uprobe") || !strcmp(providers[i]->family, "usdt");
		if (pid > 0 && !user)
			continue;
		int n = providers[i]->list ? providers[i]->list(&l) : 0;
		if (n < 0)
			return -1;
		found += n;
	}
	return found;
}
