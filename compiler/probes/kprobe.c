/* kprobe.c - kprobe:FUNC[+OFF] and kretprobe:FUNC: kernel functions
 * through the kprobe PMU, their context struct pt_regs (regs.c).
 *
 * Where the kernel has no kprobes, kprobe:sys_NAME runs on its syscall
 * tracepoint (tracepoint.c) and other kprobes on fentry/fexit when the
 * function is in the kernel's BTF (fentry.c), with argN and retval meaning
 * the same: the choice is made here, because it decides how the program
 * reads its context.
 */
#include "probes.h"

#include <bpf/btf.h>

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

enum { ENTRY, RETURN };

/* One kprobe on FUNC or FUNC+OFFSET. */
static void add_kprobe(struct probe_resolve *r, const char *func, bool ret)
{
	const char *kind = ret ? "kretprobe" : "kprobe";
	const char *plus = strchr(func, '+');
	const char *name = plus ? arena_strndup(r->arena, func, (size_t)(plus - func)) : func;
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s", kind, func),
		.func = name, /* bpftrace's func: the function FUNC+OFF is in */
		.attach = ret ? EQ_ATTACH_KRETPROBE : EQ_ATTACH_KPROBE,
		.prog_type = BPF_PROG_TYPE_KPROBE,
		.target = name,
		.target_offset = plus ? strtoull(plus + 1, NULL, 0) : 0,
		.ctx = ret ? CTX_PT_REGS_RETURN : CTX_PT_REGS_ENTRY,
	};
	p.note = arena_printf(r->arena, "%s %s", kind, func);
	probe_add_point(r, p);
}

/* Every kernel function the kprobes can reach (tracefs
 * available_filter_functions: "name" or "name [module]") matching pattern. */
static int expand_kernel_functions(struct probe_resolve *r, const char *pattern, bool ret)
{
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/available_filter_functions", r->target->tracefs);
	FILE *f = fopen(path, "r");
	int found = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \n")] = 0;
		if (*line && !fnmatch(pattern, line, 0)) {
			add_kprobe(r, arena_strdup(r->arena, line), ret);
			found++;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* Is FUNC (of FUNC+OFF) a function of the running kernel or its modules?
 * The kernel's BTF (read once per compile) knows most; the rest are looked
 * for in /proc/kallsyms, a line at a time ("ADDR t NAME [module]").  Where
 * neither can be read, say yes: the attach will tell. */
static bool kernel_has_function(struct probe_resolve *r, const char *func)
{
	char name[256], line[512];
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(func, "+"), func);
	const struct btf *btf = probe_kernel_btf(r->target, r->cache);
	if (btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0)
		return true;
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return true;
	bool found = false;
	size_t n = strlen(name);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sym = strchr(line, ' ');
		sym = sym ? strchr(sym + 1, ' ') : NULL;
		found = sym && !strncmp(sym + 1, name, n) && strchr(" \t\n", sym[1 + n]);
	}
	fclose(f);
	return found;
}

/* kprobe:FUNC / kretprobe:FUNC.  kprobe:sys_NAME is the system call NAME:
 * without kprobes it runs on the syscalls tracepoints, with the same argN
 * and retval meaning. */
static int resolve_kprobe(struct probe_resolve *r, const struct probe_kind *kind, const char *func)
{
	bool ret = kind->variant == RETURN;
	if (!*func || strchr(func, ':')) {
		diag_error(r->diag, r->spec->loc, "a %s probe is written %s:FUNCTION",
			   ret ? "kretprobe" : "kprobe", ret ? "kretprobe" : "kprobe");
		return -1;
	}
	if (!strncmp(func, "sys_", 4) && !r->target->has_kprobes && !probe_has_wildcard(func))
		return tracepoint_syscall_point(r, func, ret);
	if (probe_has_wildcard(func) && r->target->has_kprobes && r->target->tracefs) {
		if (expand_kernel_functions(r, func, ret) == 0) {
			diag_error(r->diag, r->spec->loc, "no kernel function matches '%s'", func);
			return -1;
		}
		return 0;
	}
	/* Without kprobes a function with BTF runs on fentry/fexit, as the
	 * language promises, with argN and retval meaning the same; a wildcard
	 * or FUNC+OFF stays a kprobe, whose attach says why it cannot. */
	struct attach_point p;
	if (!r->target->has_kprobes && !probe_has_wildcard(func) && !strchr(func, '+') &&
	    fentry_point(r, func, ret, false, &p) == 0) {
		p.probe_name = arena_printf(r->arena, "%s:%s", ret ? "kretprobe" : "kprobe", func);
		p.note = arena_printf(r->arena, "%s on %s (this kernel has no kprobes)",
				      ret ? "fexit" : "fentry", func);
		probe_add_point(r, p);
		return 0;
	}
	if (!probe_has_wildcard(func) && !kernel_has_function(r, func)) {
		diag_error(r->diag, r->spec->loc, "the kernel has no function '%.*s' (it is not in "
			   "/proc/kallsyms)", (int)strcspn(func, "+"), func);
		return -1;
	}
	add_kprobe(r, func, ret);
	return 0;
}

static const struct probe_kind kinds[] = {
	{"kprobe", NULL, "k", resolve_kprobe, ENTRY},
	{"kretprobe", NULL, "kr", resolve_kprobe, RETURN},
	{NULL},
};

static const struct probe_context *const contexts[] = {
	&probe_ctx_pt_regs_entry, &probe_ctx_pt_regs_return, NULL,
};

/* -l lists no kernel functions */
const struct probe_provider probes_kprobe = {
	.family = "kprobe",
	.kinds = kinds,
	.contexts = contexts,
};
