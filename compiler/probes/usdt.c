/* usdt.c - usdt:PATH:[PROVIDER:]NAME: the static probes a binary's
 * .note.stapsdt notes describe.  Each note gives the probe's address, its
 * semaphore and how to find its arguments (usdt_args.c reads those specs),
 * so argN is read where the note says rather than from the calling
 * convention's registers.
 */
#include "probes.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "elf_symbols.h"

/* A probe's argument specs, space separated, into ap->usdt_args. */
static int usdt_parse_args(struct probe_resolve *r, const char *specs, struct attach_point *ap)
{
	struct usdt_arg *args = ARENA_ARRAY(r->arena, struct usdt_arg, 12);
	int n = 0;
	for (const char *p = specs; *p;) {
		p += strspn(p, " ");
		size_t len = usdt_spec_len(p);
		if (!len)
			break;
		bool ok = n < 12 && usdt_parse_arg(USDT_ARCH_NATIVE, p, len, &args[n]);
		if (!ok) {
			diag_error(r->diag, r->spec->loc, "cannot read argument %d of USDT probe %s: '%.*s'",
				   n, ap->probe_name, (int)len, p);
			return -1;
		}
		n++;
		p += len;
	}
	ap->usdt_args = args;
	ap->nusdt_args = n;
	return 0;
}

struct usdt_expand {
	struct probe_resolve *r;
	const char *path, *user_path, *provider, *name;
	int found;
};

static int add_matching_usdt(const struct elf_usdt *probe, void *arg)
{
	struct usdt_expand *u = arg;
	struct probe_resolve *r = u->r;
	if ((u->provider && fnmatch(u->provider, probe->provider, 0)) || fnmatch(u->name, probe->name, 0))
		return 0;
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "usdt:%s:%s:%s", u->user_path, probe->provider,
					   probe->name),
		.func = arena_strdup(r->arena, probe->name),
		.attach = EQ_ATTACH_UPROBE,
		.prog_type = BPF_PROG_TYPE_KPROBE,
		.target = u->path,
		.target_offset = probe->offset,
		.ref_ctr_offset = probe->semaphore_offset,
		.ctx = CTX_USDT,
		.user = true,
	};
	p.note = arena_printf(r->arena, "usdt %s:%s in %s at file offset 0x%llx%s", probe->provider,
			      probe->name, u->path, (unsigned long long)probe->offset,
			      probe->semaphore_offset ? " (with semaphore)" : "");
	if (usdt_parse_args(r, probe->args, &p))
		return 1;
	probe_add_point(r, p);
	u->found++;
	return 0;
}

/* usdt:PATH:[PROVIDER:]NAME */
static int resolve_usdt(struct probe_resolve *r, const struct probe_kind *kind, const char *rest)
{
	char *user_path;
	const char *what = uprobe_split_path(r, rest, "usdt:PATH:[PROVIDER:]NAME", &user_path);
	if (!what)
		return -1;
	struct usdt_expand u = {.r = r, .user_path = user_path, .name = what};
	const char *colon = strchr(what, ':');
	if (colon) {
		u.provider = arena_strndup(r->arena, what, (size_t)(colon - what));
		u.name = colon + 1;
	}
	if (!(u.path = uprobe_find_binary(r, user_path)))
		return -1;
	int n = elf_for_each_usdt(u.path, add_matching_usdt, &u);
	if (r->diag->errors)
		return -1;
	if (n < 0 || !u.found) {
		diag_error(r->diag, r->spec->loc, "no USDT probe %s%s%s in %s", u.provider ? u.provider : "",
			   u.provider ? ":" : "", u.name, u.path);
		diag_hint(r->diag, r->spec->loc, "`ebpfq -l 'usdt:%s:*'` lists its probes", user_path);
		return -1;
	}
	return 0;
}

/* ---- -l 'usdt:PATH:PATTERN' ------------------------------------------------------ */

static int list_usdt(const struct elf_usdt *probe, void *arg)
{
	struct user_list *u = arg;
	char name[512];
	snprintf(name, sizeof(name), "%s:%s", probe->provider, probe->name);
	if (!fnmatch(u->pattern, name, 0) || !fnmatch(u->pattern, probe->name, 0)) {
		fprintf(u->out, "usdt:%s:%s\n", u->user_path, name);
		u->found++;
	}
	return 0;
}

static int list_notes(struct user_list *u)
{
	int rc = elf_for_each_usdt(u->path, list_usdt, u);
	return rc < 0 ? rc : u->found;
}

static int list_usdts(const struct probe_list *l)
{
	if (l->pid > 0 && !l->pattern) { /* -l -p PID: the process's USDT probes */
		struct probe_list all = *l;
		all.pattern = "usdt:*:*";
		return user_list(&all, list_notes);
	}
	if (!l->pattern || strncmp(l->pattern, "usdt:", 5))
		return 0;
	return user_list(l, list_notes);
}

static const struct probe_kind kinds[] = {
	{"usdt", NULL, "U", resolve_usdt},
	{NULL},
};

/* argN is where each probe's note says: lowering reads ap->usdt_args itself
 * (lower.c), so the layout has no fixed place for it */
static const struct probe_context note_args = {CTX_USDT, "USDT probes", NULL, NULL};
static const struct probe_context *const contexts[] = {&note_args, NULL};

const struct probe_provider probes_usdt = {
	.family = "usdt",
	.kinds = kinds,
	.contexts = contexts,
	.list = list_usdts,
};
