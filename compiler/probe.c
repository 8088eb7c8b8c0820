/* probe.c - probe specs to attach points; see probe.h.
 *
 * The compiler decides here how a probe attaches, because that decides how
 * the program reads its context: `kprobe:sys_clone` on a kernel without
 * kprobes becomes a program for tracepoint syscalls:sys_enter_clone, whose
 * arguments sit at a different place than in pt_regs.
 */
#include "probe.h"

#include <bpf/btf.h>

#include "elf_symbols.h"
#include "symtab.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum spec_kind {
	SK_BEGIN, SK_END, SK_TRACEPOINT, SK_KPROBE, SK_KRETPROBE, SK_UPROBE, SK_URETPROBE,
	SK_USDT, SK_RAWTRACEPOINT, SK_INTERVAL, SK_PROFILE, SK_SOFTWARE, SK_HARDWARE,
	SK_FENTRY, SK_FEXIT,
};

struct kind_row {
	const char *name;
	enum spec_kind kind;
};

/* Every probe kind the language has, with bpftrace's short aliases. */
static const struct kind_row kind_rows[] = {
	{"BEGIN", SK_BEGIN},             {"END", SK_END},
	{"tracepoint", SK_TRACEPOINT},   {"t", SK_TRACEPOINT},
	{"kprobe", SK_KPROBE},           {"k", SK_KPROBE},
	{"kretprobe", SK_KRETPROBE},     {"kr", SK_KRETPROBE},
	{"uprobe", SK_UPROBE},           {"u", SK_UPROBE},
	{"uretprobe", SK_URETPROBE},     {"ur", SK_URETPROBE},
	{"usdt", SK_USDT},               {"U", SK_USDT},
	{"rawtracepoint", SK_RAWTRACEPOINT}, {"rt", SK_RAWTRACEPOINT},
	{"interval", SK_INTERVAL},       {"i", SK_INTERVAL},
	{"profile", SK_PROFILE},         {"p", SK_PROFILE},
	{"software", SK_SOFTWARE},       {"s", SK_SOFTWARE},
	{"hardware", SK_HARDWARE},       {"h", SK_HARDWARE},
	{"fentry", SK_FENTRY},           {"kfunc", SK_FENTRY},   {"f", SK_FENTRY},
	{"fexit", SK_FEXIT},             {"kretfunc", SK_FEXIT}, {"fr", SK_FEXIT},
};

static const char *const kind_names[] = {
	"BEGIN", "END", "tracepoint", "kprobe", "kretprobe", "uprobe", "uretprobe",
	"rawtracepoint", "fentry", "fexit", "kfunc", "kretfunc", "usdt", "interval",
	"profile", "software", "hardware", NULL,
};

struct resolve_ctx {
	const struct ast *spec;
	const struct eq_target *target;
	struct probe_cache *cache;
	struct arena *arena;
	struct eq_diag *diag;
	struct attach_list *list;
};

static void add_point(struct resolve_ctx *r, struct attach_point p)
{
	p.loc = r->spec->loc;
	ARENA_PUSH(r->arena, *r->list, p);
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool tracepoint_exists(const char *tracefs, const char *cat, const char *name)
{
	char path[1024];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, cat, name);
	return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0;
}

static void add_tracepoint(struct resolve_ctx *r, const char *cat, const char *name)
{
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "tracepoint:%s:%s", cat, name),
		.func = arena_strdup(r->arena, name),
		.attach = EQ_ATTACH_TRACEPOINT,
		.prog_type = BPF_PROG_TYPE_TRACEPOINT,
		.target = arena_printf(r->arena, "%s:%s", cat, name),
		.ctx = CTX_TRACEPOINT,
	};
	p.note = arena_printf(r->arena, "tracepoint %s", p.target);
	if (!strcmp(cat, "syscalls") && !strncmp(name, "sys_enter_", 10))
		p.ctx = CTX_SYSCALL_ENTER;
	else if (!strcmp(cat, "syscalls") && !strncmp(name, "sys_exit_", 9))
		p.ctx = CTX_SYSCALL_EXIT;
	add_point(r, p);
}

/* Every tracepoint under tracefs matching the category and name patterns:
 * added as attach points, or only counted. */
static int scan_tracepoints(struct resolve_ctx *r, const char *cat_pat, const char *name_pat, bool add)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/events", r->target->tracefs);
	DIR *cats = opendir(path);
	if (!cats)
		return 0;
	int found = 0;
	struct dirent *c;
	while ((c = readdir(cats))) {
		if (c->d_name[0] == '.' || fnmatch(cat_pat, c->d_name, 0))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", r->target->tracefs, c->d_name);
		DIR *events = opendir(path);
		if (!events)
			continue;
		struct dirent *e;
		while ((e = readdir(events))) {
			if (e->d_name[0] == '.' || fnmatch(name_pat, e->d_name, 0) ||
			    !tracepoint_exists(r->target->tracefs, c->d_name, e->d_name))
				continue;
			if (add)
				add_tracepoint(r, c->d_name, e->d_name);
			found++;
		}
		closedir(events);
	}
	closedir(cats);
	return found;
}

/* tracepoint:CATEGORY:NAME, either part may hold wildcards. */
static int resolve_tracepoint(struct resolve_ctx *r, const char *rest)
{
	const char *colon = strchr(rest, ':');
	if (!colon || colon == rest || !colon[1] || strchr(colon + 1, ':')) {
		diag_error(r->diag, r->spec->loc, "a tracepoint probe is written tracepoint:CATEGORY:NAME");
		return -1;
	}
	char *cat = arena_strndup(r->arena, rest, (size_t)(colon - rest));
	const char *name = colon + 1;
	if (!r->target->tracefs) {
		if (has_wildcard(cat) || has_wildcard(name)) {
			diag_error(r->diag, r->spec->loc, "cannot expand '%s': tracefs is not available",
				   r->spec->name);
			return -1;
		}
		add_tracepoint(r, cat, name);
		return 0;
	}
	if (has_wildcard(cat) || has_wildcard(name)) {
		if (scan_tracepoints(r, cat, name, true) == 0) {
			diag_error(r->diag, r->spec->loc, "no tracepoint matches '%s'", r->spec->name);
			return -1;
		}
		return 0;
	}
	if (!tracepoint_exists(r->target->tracefs, cat, name)) {
		diag_error(r->diag, r->spec->loc, "no such tracepoint: %s:%s", cat, name);
		diag_hint(r->diag, r->spec->loc, "`ebpfq -l 'tracepoint:%s:*'` lists what this kernel offers",
			  cat);
		return -1;
	}
	add_tracepoint(r, cat, name);
	return 0;
}

static int fentry_point(struct resolve_ctx *r, const char *func, bool ret, bool report,
			struct attach_point *out);

/* One kprobe on FUNC or FUNC+OFFSET. */
static void add_kprobe(struct resolve_ctx *r, const char *func, bool ret)
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
	add_point(r, p);
}

/* Every kernel function the kprobes can reach (tracefs
 * available_filter_functions: "name" or "name [module]") matching pattern. */
static int expand_kernel_functions(struct resolve_ctx *r, const char *pattern, bool ret)
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

/* kprobe:FUNC / kretprobe:FUNC.  kprobe:sys_NAME is the system call NAME:
 * without kprobes it runs on the syscalls tracepoints, with the same argN
 * and retval meaning. */
static int resolve_kprobe(struct resolve_ctx *r, const char *func, bool ret)
{
	if (!*func || strchr(func, ':')) {
		diag_error(r->diag, r->spec->loc, "a %s probe is written %s:FUNCTION",
			   ret ? "kretprobe" : "kprobe", ret ? "kretprobe" : "kprobe");
		return -1;
	}
	const char *kind = ret ? "kretprobe" : "kprobe";
	if (!strncmp(func, "sys_", 4) && !r->target->has_kprobes && !has_wildcard(func)) {
		const char *tp = arena_printf(r->arena, "%s_%s", ret ? "sys_exit" : "sys_enter", func + 4);
		if (r->target->tracefs && !tracepoint_exists(r->target->tracefs, "syscalls", tp)) {
			diag_error(r->diag, r->spec->loc, "no system call '%s': there is no tracepoint syscalls:%s",
				   func + 4, tp);
			return -1;
		}
		struct attach_point p = {
			.probe_name = arena_printf(r->arena, "%s:%s", kind, func),
			.func = func,
			.attach = EQ_ATTACH_TRACEPOINT,
			.prog_type = BPF_PROG_TYPE_TRACEPOINT,
			.target = arena_printf(r->arena, "syscalls:%s", tp),
			.ctx = ret ? CTX_SYSCALL_EXIT : CTX_SYSCALL_ENTER,
		};
		p.note = arena_printf(r->arena, "tracepoint syscalls:%s (this kernel has no kprobes)", tp);
		add_point(r, p);
		return 0;
	}
	if (has_wildcard(func) && r->target->has_kprobes && r->target->tracefs) {
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
	if (!r->target->has_kprobes && !has_wildcard(func) && !strchr(func, '+') &&
	    fentry_point(r, func, ret, false, &p) == 0) {
		p.probe_name = arena_printf(r->arena, "%s:%s", ret ? "kretprobe" : "kprobe", func);
		p.note = arena_printf(r->arena, "%s on %s (this kernel has no kprobes)",
				      ret ? "fexit" : "fentry", func);
		add_point(r, p);
		return 0;
	}
	add_kprobe(r, func, ret);
	return 0;
}

/* ---- registers: pt_regs and USDT operands ------------------------------------------ */

#if defined(__aarch64__)
/* arm64 struct pt_regs: x0..x7 carry the arguments, x0 the return value.  A
 * system call's first argument is kept in orig_x0 (x0 becomes the return
 * value), its number in syscallno. */
static const uint32_t pt_regs_args[] = {0, 8, 16, 24, 32, 40};
static const uint32_t pt_regs_syscall_args[] = {272, 8, 16, 24, 32, 40};
enum { PT_REGS_RET = 0, PT_REGS_SYSCALL_NR = 280, PT_REGS_IP = 256 };
#else
/* x86-64 struct pt_regs: di, si, dx, cx, r8, r9 carry the arguments, ax the
 * return value; a system call passes r10 for cx, and its number stays in
 * orig_ax. */
static const uint32_t pt_regs_args[] = {112, 104, 96, 88, 72, 64};
static const uint32_t pt_regs_syscall_args[] = {112, 104, 96, 56, 72, 64};
enum { PT_REGS_RET = 80, PT_REGS_SYSCALL_NR = 120, PT_REGS_IP = 128 };
#endif

/* A probe's argument specs, space separated, into ap->usdt_args. */
static int usdt_parse_args(struct resolve_ctx *r, const char *specs, struct attach_point *ap)
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

/* ---- user probes -------------------------------------------------------------- */

/* Split "PATH:REST" at the first ':'; reports and returns NULL if either part is empty. */
static const char *split_path(struct resolve_ctx *r, const char *rest, const char *usage, char **path)
{
	const char *colon = strchr(rest, ':');
	if (!colon || colon == rest || !colon[1]) {
		diag_error(r->diag, r->spec->loc, "a probe of this kind is written %s", usage);
		return NULL;
	}
	*path = arena_strndup(r->arena, rest, (size_t)(colon - rest));
	return colon + 1;
}

/* The file a user probe's PATH names, or NULL after an error at the spec. */
static const char *find_binary(struct resolve_ctx *r, const char *path)
{
	char found[4096];
	int rc = elf_find_binary(path, found, sizeof(found));
	if (rc == 0)
		return arena_strdup(r->arena, found);
	if (strchr(path, '/'))
		diag_error(r->diag, r->spec->loc, "cannot read '%s': %s", path, strerror(-rc));
	else
		diag_error(r->diag, r->spec->loc, "no program or library '%s': not on $PATH, "
			   "and the dynamic loader knows no lib%s.so", path,
			   strncmp(path, "lib", 3) ? path : path + 3);
	return NULL;
}

/* Is this a Go program?  Its functions run on goroutine stacks, which Go
 * moves; a uretprobe rewrites the return address on that stack. */
static bool is_go_binary(const char *path)
{
	return elf_for_each_func(path, "runtime.goexit*", NULL, NULL) > 0;
}

struct uprobe_expand {
	struct resolve_ctx *r;
	const char *path, *user_path, *kind;
	bool ret;
	bool go;            /* a Go program: return probes go on its ret instructions */
	uint64_t add;       /* SYM+OFF */
	const char **names; /* for did-you-mean: every function */
	int nnames, cap;
};

/* A uprobe (or uretprobe, by u->ret) on the binary at a file offset: `sym`
 * as the spec says it (NAME+OFF, 0xADDR), `func` the function it is in,
 * which is what `func` gives (bpftrace's: the symbol of the address). */
static struct attach_point uprobe_point(struct uprobe_expand *u, const char *sym, const char *func,
					uint64_t offset)
{
	struct resolve_ctx *r = u->r;
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s:%s", u->kind, u->user_path, sym),
		.func = arena_strdup(r->arena, func),
		.attach = u->ret ? EQ_ATTACH_URETPROBE : EQ_ATTACH_UPROBE,
		.prog_type = BPF_PROG_TYPE_KPROBE,
		.target = u->path,
		.target_offset = offset,
		.ctx = u->ret ? CTX_PT_REGS_RETURN : CTX_PT_REGS_ENTRY,
		.user = true,
	};
	p.note = arena_printf(r->arena, "%s %s at file offset 0x%llx", u->kind, u->path,
			      (unsigned long long)offset);
	return p;
}

static int add_matching_func(const struct elf_func *fn, void *arg)
{
	struct uprobe_expand *u = arg;
	if (u->add && u->add >= fn->size) {
		diag_error(u->r->diag, u->r->spec->loc, "offset %llu is past the end of %s (%llu bytes)",
			   (unsigned long long)u->add, fn->name, (unsigned long long)fn->size);
		return 1;
	}
	const char *func = u->add ? arena_printf(u->r->arena, "%s+%llu", fn->name,
						 (unsigned long long)u->add)
				  : fn->name;
#if defined(__x86_64__)
	/* A goroutine may return on another OS thread than it was called on,
	 * and the kernel keeps uretprobe state per thread: it kills the
	 * program (SIGILL) when the return is not where it expects.  A plain
	 * uprobe on each `ret` has no such state. */
	uint64_t sites[32];
	int nsites = u->go && u->ret && !u->add ? elf_go_return_sites(u->path, fn, sites, 32) : 0;
	for (int i = 0; i < nsites; i++) {
		struct attach_point p = uprobe_point(u, func, fn->name, sites[i]); /* reads retval, */
		p.attach = EQ_ATTACH_UPROBE;                              /* but is no uretprobe */
		p.note = arena_printf(u->r->arena, "uprobe on return %d of %d of Go function %s at file "
				       "offset 0x%llx (a uretprobe fails when a goroutine changes thread)",
				       i + 1, nsites, func, (unsigned long long)sites[i]);
		add_point(u->r, p);
	}
	if (nsites)
		return 0;
	if (u->go && u->ret)
		diag_warning(u->r->diag, u->r->spec->loc,
			     "cannot find the returns of Go function %s: using a uretprobe, which kills "
			     "the program if the goroutine returns on another thread; see doc/probes.md",
			     func);
#endif
	add_point(u->r, uprobe_point(u, func, fn->name, fn->offset + u->add));
	return 0;
}

static int remember_name(const struct elf_func *fn, void *arg)
{
	struct uprobe_expand *u = arg;
	arena_grow(u->r->arena, (void **)&u->names, &u->cap, u->nnames, sizeof(*u->names));
	u->names[u->nnames++] = arena_strdup(u->r->arena, fn->name);
	return 0;
}

/* uprobe:PATH:SYM / uretprobe:PATH:SYM.  SYM is a function name (Go's
 * main.main and C++'s mangled names included), a wildcard, NAME+OFF, or an
 * address 0xADDR. */
static int resolve_uprobe(struct resolve_ctx *r, const char *rest, bool ret)
{
	const char *kind = ret ? "uretprobe" : "uprobe";
	char *user_path;
	const char *sym = split_path(r, rest, ret ? "uretprobe:PATH:FUNCTION" : "uprobe:PATH:FUNCTION",
				     &user_path);
	if (!sym)
		return -1;
	struct uprobe_expand u = {.r = r, .user_path = user_path, .kind = kind, .ret = ret};
	if (!(u.path = find_binary(r, user_path)))
		return -1;
	u.go = ret && is_go_binary(u.path);
	int before = r->list->count;
	if (!strncmp(sym, "0x", 2)) {
		char *end;
		uint64_t addr = strtoull(sym, &end, 16);
		uint64_t offset;
		if (*end || end == sym + 2) {
			diag_error(r->diag, r->spec->loc, "'%s' is not an address", sym);
			return -1;
		}
		if (elf_addr_to_offset(u.path, addr, &offset)) {
			diag_error(r->diag, r->spec->loc, "address %s is not in the code of %s", sym, u.path);
			return -1;
		}
		struct symtab st;
		const struct symtab_sym *fn = symtab_read_elf(u.path, SYMTAB_FUNCS, &st) ? NULL
					      : symtab_find_addr(&st, addr);
		add_point(r, uprobe_point(&u, sym, fn ? symtab_name(&st, fn) : sym, offset));
		symtab_free(&st);
		return 0;
	}
	const char *plus = strchr(sym, '+');
	char *name = arena_strdup(r->arena, sym);
	if (plus) {
		char *end;
		name[plus - sym] = 0;
		u.add = strtoull(plus + 1, &end, 0);
		if (*end || !plus[1] || !u.add) {
			diag_error(r->diag, r->spec->loc, "'%s' is not FUNCTION+OFFSET", sym);
			return -1;
		}
		/* A breakpoint inside an instruction corrupts the traced program, and
		 * without a disassembler we cannot tell the boundaries on x86. */
		if (!r->target->unsafe) {
			diag_error(r->diag, r->spec->loc, "a uprobe at FUNCTION+OFFSET breaks the program "
				   "unless the offset starts an instruction, which ebpfq cannot check");
			diag_hint(r->diag, r->spec->loc, "check it (objdump -d --disassemble=%s %s), then "
				  "run with --unsafe", name, u.path);
			return -1;
		}
	}
	int n = elf_for_each_func(u.path, name, add_matching_func, &u);
	if (n < 0) {
		diag_error(r->diag, r->spec->loc, "cannot read symbols of %s: %s", u.path,
			   n == -ENOEXEC ? "not an ELF file" : strerror(-n));
		return -1;
	}
	if (r->diag->errors)
		return -1;
	if (r->list->count == before) {
		diag_error(r->diag, r->spec->loc, "no function %s '%s' in %s",
			   has_wildcard(name) ? "matches" : "named", name, u.path);
		const char *close = NULL;
		if (!has_wildcard(name)) {
			elf_for_each_func(u.path, "*", remember_name, &u);
			arena_grow(r->arena, (void **)&u.names, &u.cap, u.nnames, sizeof(*u.names));
			u.names[u.nnames] = NULL; /* diag_closest's list ends in NULL */
			close = diag_closest(name, u.names);
		}
		if (close)
			diag_hint(r->diag, r->spec->loc, "did you mean `%s`?", close);
		else
			diag_hint(r->diag, r->spec->loc, "`ebpfq -l 'uprobe:%s:*'` lists its functions",
				  user_path);
		return -1;
	}
	return 0;
}

struct usdt_expand {
	struct resolve_ctx *r;
	const char *path, *user_path, *provider, *name;
	int found;
};

static int add_matching_usdt(const struct elf_usdt *probe, void *arg)
{
	struct usdt_expand *u = arg;
	struct resolve_ctx *r = u->r;
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
	add_point(r, p);
	u->found++;
	return 0;
}

/* usdt:PATH:[PROVIDER:]NAME */
static int resolve_usdt(struct resolve_ctx *r, const char *rest)
{
	char *user_path;
	const char *what = split_path(r, rest, "usdt:PATH:[PROVIDER:]NAME", &user_path);
	if (!what)
		return -1;
	struct usdt_expand u = {.r = r, .user_path = user_path, .name = what};
	const char *colon = strchr(what, ':');
	if (colon) {
		u.provider = arena_strndup(r->arena, what, (size_t)(colon - what));
		u.name = colon + 1;
	}
	if (!(u.path = find_binary(r, user_path)))
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

/* ---- fentry / fexit ------------------------------------------------------------- */

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

static const struct btf *kernel_btf(struct resolve_ctx *r)
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

/* The fentry/fexit attach point for a kernel function, typed from BTF, into
 * *out.  Returns 0, or -1 (after an error at the spec if `report`). */
static int fentry_point(struct resolve_ctx *r, const char *func, bool ret, bool report,
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

static int resolve_fentry(struct resolve_ctx *r, const char *func, bool ret)
{
	const char *kind = ret ? "fexit" : "fentry";
	struct attach_point p;
	if (!*func || strchr(func, ':') || has_wildcard(func)) {
		diag_error(r->diag, r->spec->loc, "a %s probe is written %s:FUNCTION%s", kind, kind,
			   has_wildcard(func) ? " (no wildcards yet)" : "");
		return -1;
	}
	if (fentry_point(r, func, ret, true, &p))
		return -1;
	add_point(r, p);
	return 0;
}

/* ---- raw tracepoints and perf events ------------------------------------------------ */

/* rawtracepoint:NAME or rawtracepoint:CATEGORY:NAME: the kernel attaches by
 * name alone. */
static int resolve_raw_tracepoint(struct resolve_ctx *r, const char *rest)
{
	const char *name = strrchr(rest, ':') ? strrchr(rest, ':') + 1 : rest;
	if (!*name || has_wildcard(rest)) {
		diag_error(r->diag, r->spec->loc, "a raw tracepoint is written rawtracepoint:NAME%s",
			   *name ? " (no wildcards)" : "");
		return -1;
	}
	if (r->target->tracefs && name == rest && scan_tracepoints(r, "*", name, false) == 0) {
		diag_error(r->diag, r->spec->loc, "no such tracepoint: %s", name);
		diag_hint(r->diag, r->spec->loc, "`ebpfq -l 'tracepoint:*:%s*'` lists what this kernel offers",
			  name);
		return -1;
	}
	if (r->target->tracefs && name != rest) {
		char *cat = arena_strndup(r->arena, rest, (size_t)(name - 1 - rest));
		if (!tracepoint_exists(r->target->tracefs, cat, name)) {
			diag_error(r->diag, r->spec->loc, "no such tracepoint: %s:%s", cat, name);
			return -1;
		}
	}
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "rawtracepoint:%s", rest),
		.func = name,
		.attach = EQ_ATTACH_RAW_TRACEPOINT,
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.target = name,
		.ctx = CTX_RAW_TRACEPOINT,
	};
	p.note = arena_printf(r->arena, "raw tracepoint %s", name);
	add_point(r, p);
	return 0;
}

struct perf_event_name {
	const char *name, *alias;
	uint64_t config;
	uint64_t default_period;
};

static const struct perf_event_name software_events[] = {
	{"cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000},
	{"task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000},
	{"page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100},
	{"context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	{"cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	{"minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	{"major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	{"alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	{"emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1},
	{"dummy", NULL, PERF_COUNT_SW_DUMMY, 1},
	{NULL, NULL, 0, 0},
};

static const struct perf_event_name hardware_events[] = {
	{"cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000},
	{"instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	{"cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	{"cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000},
	{"branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	{"branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000},
	{"bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000},
	{"frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	{"backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	{"ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
	{NULL, NULL, 0, 0},
};

int eq_perf_event_names(bool hardware, const char **names, int max)
{
	const struct perf_event_name *t = hardware ? hardware_events : software_events;
	int n = 0;
	for (; t[n].name && n < max - 1; n++)
		names[n] = t[n].name;
	names[n] = NULL;
	return n;
}

/* A positive count; reports and returns 0 if text is not one. */
static uint64_t parse_count(struct resolve_ctx *r, const char *text, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (!*text || *end || errno || v == 0 || *text == '-') {
		diag_error(r->diag, r->spec->loc, "%s must be a positive whole number, not '%s'", what, text);
		return 0;
	}
	return v;
}

static void add_perf_point(struct resolve_ctx *r, const char *kind, const char *rest, struct eq_perf perf)
{
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s", kind, rest),
		.func = arena_strdup(r->arena, rest),
		.attach = EQ_ATTACH_PERF_EVENT,
		.prog_type = BPF_PROG_TYPE_PERF_EVENT,
		.target = arena_printf(r->arena, "%s:%s", kind, rest),
		.ctx = CTX_PERF_EVENT,
		.perf = perf,
	};
	p.note = arena_printf(r->arena, "perf event type %u config %llu, %s %llu%s", perf.type,
			      (unsigned long long)perf.config, perf.freq ? "frequency" : "period",
			      (unsigned long long)perf.period, perf.every_cpu ? ", every CPU" : ", CPU 0");
	add_point(r, p);
}

/* interval:UNIT:N (one CPU) and profile:UNIT:N (every CPU); UNIT s, ms, us
 * or hz.  Both run on the cpu-clock software event. */
static int resolve_timer(struct resolve_ctx *r, const char *rest, bool every_cpu)
{
	const char *kind = every_cpu ? "profile" : "interval";
	const char *colon = strchr(rest, ':');
	char unit[8] = "";
	if (colon && (size_t)(colon - rest) < sizeof(unit))
		snprintf(unit, sizeof(unit), "%.*s", (int)(colon - rest), rest);
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{"s", 1000000000ull}, {"ms", 1000000}, {"us", 1000}, {"hz", 0},
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit))
			continue;
		uint64_t n = parse_count(r, colon + 1, units[i].ns ? "the period" : "the rate");
		if (!n)
			return -1;
		struct eq_perf perf = {.type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK,
				       .every_cpu = every_cpu};
		if (!units[i].ns && every_cpu) {
			perf.freq = true; /* the kernel spreads samples over each second */
			perf.period = n;
		} else {
			perf.period = units[i].ns ? n * units[i].ns : 1000000000ull / n;
			if (!perf.period)
				perf.period = 1;
		}
		add_perf_point(r, kind, rest, perf);
		return 0;
	}
	diag_error(r->diag, r->spec->loc, "%s %s probe is written %s:s|ms|us|hz:N", every_cpu ? "a" : "an", kind, kind);
	return -1;
}

/* software:EVENT[:PERIOD] and hardware:EVENT[:PERIOD], on every CPU. */
static int resolve_counter(struct resolve_ctx *r, const char *rest, bool hardware)
{
	const char *kind = hardware ? "hardware" : "software";
	const struct perf_event_name *table = hardware ? hardware_events : software_events;
	const char *colon = strchr(rest, ':');
	char *event = arena_strndup(r->arena, rest, colon ? (size_t)(colon - rest) : strlen(rest));
	for (int i = 0; table[i].name; i++) {
		if (strcmp(event, table[i].name) && (!table[i].alias || strcmp(event, table[i].alias)))
			continue;
		uint64_t period = colon && colon[1] ? parse_count(r, colon + 1, "the period")
						    : table[i].default_period;
		if (!period)
			return -1;
		struct eq_perf perf = {.type = hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
				       .config = table[i].config, .period = period, .every_cpu = true};
		add_perf_point(r, kind, rest, perf);
		return 0;
	}
	diag_error(r->diag, r->spec->loc, "unknown %s event '%s'", kind, event);
	const char *names[EQ_MAX_PERF_EVENTS];
	eq_perf_event_names(hardware, names, EQ_MAX_PERF_EVENTS);
	const char *close = diag_closest(event, names);
	if (close)
		diag_hint(r->diag, r->spec->loc, "did you mean `%s`?", close);
	else
		diag_hint(r->diag, r->spec->loc, "`ebpfq -l '%s:*'` lists them", kind);
	return -1;
}

static int resolve_special(struct resolve_ctx *r, enum spec_kind kind, const char *name)
{
	struct attach_point p = {
		.probe_name = name,
		.func = name,
		.attach = kind == SK_BEGIN ? EQ_ATTACH_BEGIN : EQ_ATTACH_END,
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.target = name,
		.note = "run once by ebpfq",
		.ctx = CTX_NONE,
	};
	add_point(r, p);
	return 0;
}

int probe_resolve(const struct ast *spec, const struct eq_target *target, struct probe_cache *cache,
		  struct arena *arena, struct eq_diag *diag, struct attach_list *list)
{
	struct resolve_ctx r = {spec, target, cache, arena, diag, list};
	const char *text = spec->name;
	const char *colon = strchr(text, ':');
	size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);
	const char *rest = colon ? colon + 1 : "";
	for (size_t i = 0; i < sizeof(kind_rows) / sizeof(kind_rows[0]); i++) {
		const struct kind_row *row = &kind_rows[i];
		if (strlen(row->name) != kind_len || strncmp(row->name, text, kind_len))
			continue;
		switch (row->kind) {
		case SK_BEGIN:
		case SK_END:
			if (colon) {
				diag_error(diag, spec->loc, "%s takes no arguments", row->name);
				return -1;
			}
			return resolve_special(&r, row->kind, row->name);
		case SK_TRACEPOINT:
			return resolve_tracepoint(&r, rest);
		case SK_KPROBE:
		case SK_KRETPROBE:
			return resolve_kprobe(&r, rest, row->kind == SK_KRETPROBE);
		case SK_UPROBE:
		case SK_URETPROBE:
			return resolve_uprobe(&r, rest, row->kind == SK_URETPROBE);
		case SK_USDT:
			return resolve_usdt(&r, rest);
		case SK_RAWTRACEPOINT:
			return resolve_raw_tracepoint(&r, rest);
		case SK_INTERVAL:
		case SK_PROFILE:
			return resolve_timer(&r, rest, row->kind == SK_PROFILE);
		case SK_SOFTWARE:
		case SK_HARDWARE:
			return resolve_counter(&r, rest, row->kind == SK_HARDWARE);
		case SK_FENTRY:
		case SK_FEXIT:
			return resolve_fentry(&r, rest, row->kind == SK_FEXIT);
		}
	}
	char *kind = arena_strndup(arena, text, kind_len);
	diag_error(diag, spec->loc, "unknown probe kind '%s'", kind);
	const char *close = diag_closest(kind, kind_names);
	if (close)
		diag_hint(diag, spec->loc, "did you mean `%s`?", close);
	return -1;
}

/* ---- tracepoint formats ------------------------------------------------------- */

/* How many bits a field's C type holds, and whether it is signed: the
 * format's own signed flag is wrong for system call arguments (an `int` is
 * stored in 8 bytes as unsigned long), so the type name decides when it
 * can. */
static void c_type_info(const char *type, uint32_t size, uint8_t *bits, bool *is_signed)
{
	static const struct { const char *name; uint8_t bits; bool is_signed; } types[] = {
		{"char", 8, true},   {"short", 16, true}, {"int", 32, true},  {"long", 64, true},
		{"s8", 8, true},     {"s16", 16, true},   {"s32", 32, true},  {"s64", 64, true},
		{"u8", 8, false},    {"u16", 16, false},  {"u32", 32, false}, {"u64", 64, false},
		{"pid_t", 32, true}, {"umode_t", 16, false}, {"size_t", 64, false},
		{"ssize_t", 64, true}, {"bool", 8, false}, {"loff_t", 64, true},
		{"off_t", 64, true},   {"gfp_t", 32, false},
	};
	*bits = (uint8_t)(size * 8);
	if (strchr(type, '*'))
		return; /* a pointer: the whole unsigned word */
	const char *t = type;
	while (!strncmp(t, "const ", 6) || !strncmp(t, "volatile ", 9))
		t = strchr(t, ' ') + 1;
	bool is_unsigned = !strncmp(t, "unsigned ", 9);
	if (is_unsigned)
		t += 9;
	if (!strcmp(t, "long long"))
		t = "long";
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(t, types[i].name))
			continue;
		if (types[i].bits < *bits)
			*bits = types[i].bits;
		*is_signed = types[i].is_signed && !is_unsigned;
		return;
	}
	if (is_unsigned)
		*is_signed = false;
}

/* One "field:TYPE NAME[N];\toffset:O;\tsize:S;\tsigned:G;" line. */
static bool parse_field(const char *line, struct arena *arena, struct tp_field *f)
{
	const char *decl = strstr(line, "field:");
	const char *semi = decl ? strchr(decl, ';') : NULL;
	unsigned off, size;
	int sign;
	const char *o = semi ? strstr(semi, "offset:") : NULL;
	if (!o || sscanf(o, "offset:%u;\tsize:%u;\tsigned:%d;", &off, &size, &sign) != 3)
		return false;
	decl += 6;
	/* an array suffix (`comm[16]`) follows the name; `char[]` inside a
	 * __data_loc type precedes it */
	const char *end = semi, *bracket = NULL;
	if (semi[-1] == ']')
		for (bracket = semi - 1; bracket > decl && *bracket != '['; bracket--)
			;
	if (bracket)
		end = bracket;
	while (end > decl && end[-1] == ' ')
		end--;
	const char *name = end;
	while (name > decl && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z') ||
			       (name[-1] >= 'A' && name[-1] <= 'Z') || (name[-1] >= '0' && name[-1] <= '9')))
		name--;
	char *type = arena_strndup(arena, decl, (size_t)(name - decl));
	for (size_t n = strlen(type); n && type[n - 1] == ' '; n--)
		type[n - 1] = 0;
	*f = (struct tp_field){.name = arena_strndup(arena, name, (size_t)(end - name)),
			       .offset = off, .size = size, .is_signed = sign != 0};
	if (strstr(type, "__data_loc"))
		f->kind = TPF_DATA_LOC;
	else if (bracket && strstr(type, "char"))
		f->kind = TPF_CHARS;
	else
		c_type_info(type, size, &f->bits, &f->is_signed);
	return f->kind != TPF_INT || size == 1 || size == 2 || size == 4 || size == 8;
}

int probe_load_format(struct attach_point *ap, const char *tracefs, struct arena *arena)
{
	if (ap->attach != EQ_ATTACH_TRACEPOINT || !tracefs)
		return -1;
	char path[512], line[1024];
	const char *colon = strchr(ap->target, ':');
	snprintf(path, sizeof(path), "%s/events/%.*s/%s/format", tracefs, (int)(colon - ap->target),
		 ap->target, colon + 1);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	ap->format = ARENA_NEW(arena, struct tp_format);
	while (fgets(line, sizeof(line), f)) {
		struct tp_field field;
		if (strstr(line, "field:") && !strstr(line, "field:unsigned short common_type") &&
		    parse_field(line, arena, &field) && strncmp(field.name, "common_", 7))
			ARENA_PUSH(arena, *ap->format, field);
	}
	fclose(f);
	return 0;
}

const struct tp_field *probe_find_field(const struct attach_point *ap, const char *name)
{
	if (!ap->format)
		return NULL;
	for (int i = 0; i < ap->format->count; i++)
		if (!strcmp(ap->format->items[i].name, name))
			return &ap->format->items[i];
	return NULL;
}

/* ---- context layouts ----------------------------------------------------- */

/* struct trace_event_raw_sys_enter: 8 bytes of common fields, the syscall
 * number (long), then unsigned long args[6]; sys_exit: then long ret. */
enum { SYSCALL_NR_OFFSET = 8, SYSCALL_ARGS_OFFSET = 16, SYSCALL_RET_OFFSET = 16 };

bool probe_ctx_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	*out = (struct tp_field){.kind = TPF_INT, .size = 8, .bits = 64}; /* an unsigned word */
	if (n < 0)
		return false;
	switch (ap->ctx) {
	case CTX_PT_REGS_ENTRY:
		out->offset = n < 6 ? pt_regs_args[n] : 0;
		return n < 6;
	case CTX_SYSCALL_ENTER:
		out->offset = SYSCALL_ARGS_OFFSET + 8 * (uint32_t)n;
		return n < 6;
	case CTX_FENTRY:
	case CTX_FEXIT: /* u64 args[nargs] */
		out->offset = 8 * (uint32_t)n;
		return n < ap->nargs;
	case CTX_RAW_TRACEPOINT: /* struct bpf_raw_tracepoint_args: u64 args[] */
		out->offset = 8 * (uint32_t)n;
		return n < 12;
	default:
		return false;
	}
}

bool probe_ctx_retval(const struct attach_point *ap, struct tp_field *out)
{
	*out = (struct tp_field){.kind = TPF_INT, .size = 8, .bits = 64, .is_signed = true};
	switch (ap->ctx) {
	case CTX_PT_REGS_RETURN:
		out->offset = PT_REGS_RET;
		return true;
	case CTX_SYSCALL_EXIT:
		out->offset = SYSCALL_RET_OFFSET;
		return true;
	case CTX_FEXIT: /* after the arguments, typed by the prototype; none for void */
		if (ap->retval)
			*out = *ap->retval;
		return ap->retval != NULL;
	default:
		return false;
	}
}

bool probe_syscall_source(const struct attach_point *ap, uint32_t record_offset,
			  struct syscall_source *out)
{
	bool exit = ap->ctx == CTX_SYSCALL_EXIT;
	if (record_offset == SYSCALL_NR_OFFSET) {
		/* entry: the id raw_syscalls passes; exit: only the registers have it */
		*out = exit ? (struct syscall_source){true, PT_REGS_SYSCALL_NR}
			    : (struct syscall_source){false, 8};
		return true;
	}
	if (exit) {
		*out = (struct syscall_source){false, 8};
		return record_offset == SYSCALL_RET_OFFSET;
	}
	if (record_offset < SYSCALL_ARGS_OFFSET || record_offset % 8 ||
	    record_offset >= SYSCALL_ARGS_OFFSET + 6 * 8)
		return false;
	*out = (struct syscall_source){true, pt_regs_syscall_args[(record_offset - SYSCALL_ARGS_OFFSET) / 8]};
	return true;
}

uint32_t probe_syscall_nr_reg(void)
{
	return PT_REGS_SYSCALL_NR;
}

uint32_t probe_ip_reg(void)
{
	return PT_REGS_IP;
}

const char *probe_ctx_describe(enum ctx_layout ctx)
{
	switch (ctx) {
	case CTX_NONE: return "BEGIN and END probes";
	case CTX_PT_REGS_ENTRY: return "function entry probes";
	case CTX_PT_REGS_RETURN: return "function return probes";
	case CTX_USDT: return "USDT probes";
	case CTX_RAW_TRACEPOINT: return "raw tracepoints";
	case CTX_FENTRY: return "fentry probes";
	case CTX_FEXIT: return "fexit probes";
	case CTX_PERF_EVENT: return "interval, profile, software and hardware probes";
	case CTX_SYSCALL_ENTER: return "system call entry probes";
	case CTX_SYSCALL_EXIT: return "system call return probes";
	case CTX_TRACEPOINT: return "tracepoints";
	}
	return "this probe";
}

/* ---- -l for user probes --------------------------------------------------------- */

struct list_ctx {
	FILE *out;
	const char *kind, *user_path, *pattern;
	int found;
};

static int list_func(const struct elf_func *fn, void *arg)
{
	struct list_ctx *l = arg;
	fprintf(l->out, "%s:%s:%s\n", l->kind, l->user_path, fn->name);
	l->found++;
	return 0;
}

static int list_usdt(const struct elf_usdt *probe, void *arg)
{
	struct list_ctx *l = arg;
	char name[512];
	snprintf(name, sizeof(name), "%s:%s", probe->provider, probe->name);
	if (!fnmatch(l->pattern, name, 0) || !fnmatch(l->pattern, probe->name, 0)) {
		fprintf(l->out, "usdt:%s:%s\n", l->user_path, name);
		l->found++;
	}
	return 0;
}

int eq_list_user_probes(FILE *out, FILE *err, const char *spec)
{
	const char *colon = strchr(spec, ':');
	const char *rest = colon ? colon + 1 : "";
	const char *sep = strchr(rest, ':');
	char kind[16], user_path[4096], path[4096];
	snprintf(kind, sizeof(kind), "%.*s", colon ? (int)(colon - spec) : 0, spec);
	snprintf(user_path, sizeof(user_path), "%.*s", sep ? (int)(sep - rest) : (int)strlen(rest), rest);
	struct list_ctx l = {.out = out, .kind = kind, .user_path = user_path,
			     .pattern = sep && sep[1] ? sep + 1 : "*"};
	int rc = elf_find_binary(user_path, path, sizeof(path));
	if (rc) {
		fprintf(err, "ebpfq: cannot find '%s': %s\n", user_path, strerror(-rc));
		return -1;
	}
	rc = strcmp(kind, "usdt") ? elf_for_each_func(path, l.pattern, list_func, &l)
				  : elf_for_each_usdt(path, list_usdt, &l);
	if (rc < 0) {
		fprintf(err, "ebpfq: cannot read %s: %s\n", path, rc == -ENOEXEC ? "not an ELF file" : strerror(-rc));
		return -1;
	}
	return l.found;
}
