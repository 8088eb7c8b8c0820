/* uprobe.c - uprobe:PATH:SYM and uretprobe:PATH:SYM: probes on the
 * functions of a user binary, resolved here from its symbol tables to file
 * offsets (what the kernel's uprobes take), so a wildcard becomes one
 * program per function and `func` is a constant.
 */
#include "probes.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_symbols.h"

enum { ENTRY, RETURN };

const char *uprobe_split_path(struct probe_resolve *r, const char *rest, const char *usage, char **path)
{
	const char *colon = strchr(rest, ':');
	if (!colon || colon == rest || !colon[1]) {
		diag_error(r->diag, r->spec->loc, "a probe of this kind is written %s", usage);
		return NULL;
	}
	*path = arena_strndup(r->arena, rest, (size_t)(colon - rest));
	return colon + 1;
}

/* Does process pid see another file system than ours (another mount
 * namespace: a container; or another root directory)?  Then its files are
 * reached under /proc/PID/root. */
static bool other_root(int pid, char *root, size_t size)
{
	struct stat ours, theirs, our_ns, their_ns;
	char ns[64];
	snprintf(root, size, "/proc/%d/root", pid);
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", pid);
	if (!stat("/proc/self/ns/mnt", &our_ns) && !stat(ns, &their_ns) && our_ns.st_ino != their_ns.st_ino)
		return true;
	return !stat("/", &ours) && !stat(root, &theirs) &&
	       (ours.st_dev != theirs.st_dev || ours.st_ino != theirs.st_ino);
}

/* A library named without a path (libc, libssl) as process pid has it
 * mapped, into path: the library it really uses. */
static bool mapped_library(int pid, const char *name, char *path, size_t size)
{
	char maps[64], line[4096], stem[256];
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	snprintf(stem, sizeof(stem), "%s%s", strncmp(name, "lib", 3) ? "lib" : "", name);
	size_t n = strlen(stem);
	FILE *f = fopen(maps, "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/');
		if (!file)
			continue;
		file[strcspn(file, "\n")] = 0;
		const char *base = strrchr(file, '/') + 1;
		if (!strncmp(base, stem, n) && (base[n] == '.' || base[n] == '-')) {
			snprintf(path, size, "%s", file);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* With -p, PATH as the traced process sees it: under its root if that is
 * not ours, and a library named without a path as the one it has mapped. */
static bool find_in_process(int pid, const char *path, char *out, size_t size)
{
	char root[64], mapped[4096];
	bool elsewhere = other_root(pid, root, sizeof(root));
	if (!strchr(path, '/')) {
		if (!mapped_library(pid, path, mapped, sizeof(mapped)))
			return false;
		path = mapped;
	} else if (path[0] != '/' || !elsewhere) {
		return false;
	}
	if ((size_t)snprintf(out, size, "%s%s", elsewhere ? root : "", path) >= size)
		return false;
	return access(out, R_OK) == 0;
}

const char *uprobe_find_binary(struct probe_resolve *r, const char *path)
{
	char found[4096];
	if (r->target->pid > 0 && find_in_process(r->target->pid, path, found, sizeof(found)))
		return arena_strdup(r->arena, found);
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

/* glibc 2.34 moved libpthread, libdl, librt, libutil and libanl into
 * libc, leaving stubs: a function the stub lacks is probed in the libc
 * beside it (bpftrace's threadsnoop.bt probes libpthread:pthread_create). */
static const char *merged_into_libc(struct probe_resolve *r, const char *path)
{
	static const char *const stubs[] = {"libpthread.so", "libdl.so", "librt.so", "libutil.so",
					    "libanl.so"};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (size_t i = 0; i < sizeof(stubs) / sizeof(stubs[0]); i++) {
		if (strncmp(base, stubs[i], strlen(stubs[i])))
			continue;
		char *libc = arena_printf(r->arena, "%.*slibc.so.6", (int)(base - path), path);
		return access(libc, R_OK) ? NULL : libc;
	}
	return NULL;
}

struct uprobe_expand {
	struct probe_resolve *r;
	const char *path, *user_path, *kind;
	bool ret;
	bool go;            /* a Go program: return probes go on its ret instructions */
	uint64_t add;       /* SYM+OFF */
	const char **names; /* for did-you-mean: every function */
	int nnames, cap;
};

/* A uprobe (or uretprobe, by u->ret) on the binary at a file offset. */
static struct attach_point uprobe_point(struct uprobe_expand *u, const char *func, uint64_t offset)
{
	struct probe_resolve *r = u->r;
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s:%s", u->kind, u->user_path, func),
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
		struct attach_point p = uprobe_point(u, func, sites[i]); /* reads retval, */
		p.attach = EQ_ATTACH_UPROBE;                              /* but is no uretprobe */
		p.note = arena_printf(u->r->arena, "uprobe on return %d of %d of Go function %s at file "
				       "offset 0x%llx (a uretprobe fails when a goroutine changes thread)",
				       i + 1, nsites, func, (unsigned long long)sites[i]);
		probe_add_point(u->r, p);
	}
	if (nsites)
		return 0;
	if (u->go && u->ret)
		diag_warning(u->r->diag, u->r->spec->loc,
			     "cannot find the returns of Go function %s: using a uretprobe, which kills "
			     "the program if the goroutine returns on another thread; see doc/probes.md",
			     func);
#endif
	probe_add_point(u->r, uprobe_point(u, func, fn->offset + u->add));
	return 0;
}

static int remember_name(const struct elf_func *fn, void *arg)
{
	struct uprobe_expand *u = arg;
	arena_grow(u->r->arena, (void **)&u->names, &u->cap, u->nnames, sizeof(*u->names));
	u->names[u->nnames++] = arena_strdup(u->r->arena, fn->name);
	return 0;
}

/* SYM is a function name (Go's main.main and C++'s mangled names included),
 * a wildcard, NAME+OFF, or an address 0xADDR. */
int uprobe_resolve_sym(struct probe_resolve *r, const char *user_path, const char *sym, bool ret)
{
	const char *kind = ret ? "uretprobe" : "uprobe";
	struct uprobe_expand u = {.r = r, .user_path = user_path, .kind = kind, .ret = ret};
	if (!(u.path = uprobe_find_binary(r, user_path)))
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
		probe_add_point(r, uprobe_point(&u, sym, offset));
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
	const char *libc = n == 0 ? merged_into_libc(r, u.path) : NULL;
	if (libc) { /* libpthread's functions are libc's since glibc 2.34 */
		u.path = libc;
		n = elf_for_each_func(u.path, name, add_matching_func, &u);
	}
	if (n < 0) {
		diag_error(r->diag, r->spec->loc, "cannot read symbols of %s: %s", u.path,
			   n == -ENOEXEC ? "not an ELF file" : strerror(-n));
		return -1;
	}
	if (r->diag->errors)
		return -1;
	if (r->list->count == before) {
		if (r->optional && !probe_has_wildcard(name)) {
			diag_warning(r->diag, r->spec->loc, "no function named '%s' in %s: the probe is "
				     "not attached there", name, u.path);
			return 0;
		}
		diag_error(r->diag, r->spec->loc, "no function %s '%s' in %s",
			   probe_has_wildcard(name) ? "matches" : "named", name, u.path);
		const char *close = NULL;
		if (!probe_has_wildcard(name)) {
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

/* uprobe:PATH:SYM / uretprobe:PATH:SYM */
static int resolve_uprobe(struct probe_resolve *r, const struct probe_kind *k, const char *rest)
{
	bool ret = k->variant == RETURN;
	char *user_path;
	const char *sym = uprobe_split_path(r, rest, ret ? "uretprobe:PATH:FUNCTION" : "uprobe:PATH:FUNCTION",
				     &user_path);
	if (!sym)
		return -1;
	return uprobe_resolve_sym(r, user_path, sym, ret);
}

/* ---- -l 'uprobe:PATH:PATTERN' ---------------------------------------------------- */

/* walk() one file, u->path as ebpfq opens it and u->user_path as listed;
 * a file that is no ELF is skipped quietly when a wildcard found it. */
static int list_one(const struct probe_list *l, struct user_list *u, int (*walk)(struct user_list *u),
		    bool quiet)
{
	int before = u->found, rc = walk(u);
	if (rc == -ENOEXEC && quiet)
		return 0;
	if (rc < 0) {
		fprintf(l->err, "ebpfq: cannot read %s: %s\n", u->path,
			rc == -ENOEXEC ? "not an ELF file" : strerror(-rc));
		return -1;
	}
	return u->found - before;
}

/* -l -p PID: the executable files the process has mapped (its program and
 * its libraries) that the PATH pattern matches, each once. */
static int list_process(const struct probe_list *l, struct user_list *u, const char *path_pattern,
			int (*walk)(struct user_list *u))
{
	char maps[64], line[4096], root[64];
	snprintf(maps, sizeof(maps), "/proc/%d/maps", l->pid);
	FILE *f = fopen(maps, "r");
	if (!f) {
		fprintf(l->err, "ebpfq: cannot read the mappings of process %d: %s\n", l->pid,
			strerror(errno));
		return -1;
	}
	bool elsewhere = other_root(l->pid, root, sizeof(root));
	char **seen = NULL;
	int nseen = 0, total = 0;
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "", *file = strchr(line, '/');
		if (!file || sscanf(line, "%*s %7s", perms) != 1 || perms[2] != 'x')
			continue;
		file[strcspn(file, "\n")] = 0;
		bool dup = strstr(file, " (deleted)") != NULL;
		for (int i = 0; i < nseen && !dup; i++)
			dup = !strcmp(seen[i], file);
		if (dup || fnmatch(path_pattern, file, 0))
			continue;
		char **grown = realloc(seen, sizeof(*seen) * (size_t)(nseen + 1));
		if (!grown)
			break;
		seen = grown;
		seen[nseen++] = strdup(file);
		snprintf(u->user_path, sizeof(u->user_path), "%s", file);
		if ((size_t)snprintf(u->path, sizeof(u->path), "%s%s", elsewhere ? root : "", file) >=
		    sizeof(u->path))
			continue;
		int n = list_one(l, u, walk, true);
		if (n < 0) {
			total = -1;
			break;
		}
		total += n;
	}
	for (int i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	fclose(f);
	return total;
}

/* -l 'uprobe:/usr/lib/x86_64-linux-gnu/libc*:malloc': every file matched. */
static int list_glob(const struct probe_list *l, struct user_list *u, const char *path_pattern,
		     int (*walk)(struct user_list *u))
{
	glob_t g;
	if (glob(path_pattern, 0, NULL, &g)) {
		fprintf(l->err, "ebpfq: no file matches '%s'\n", path_pattern);
		return -1;
	}
	int total = 0;
	for (size_t i = 0; i < g.gl_pathc && total >= 0; i++) {
		struct stat st;
		if (stat(g.gl_pathv[i], &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(u->user_path, sizeof(u->user_path), "%s", g.gl_pathv[i]);
		if (!realpath(g.gl_pathv[i], u->path)) /* u->path is PATH_MAX long */
			continue;
		int n = list_one(l, u, walk, true);
		total = n < 0 ? -1 : total + n;
	}
	globfree(&g);
	return total;
}

int user_list(const struct probe_list *l, int (*walk)(struct user_list *u))
{
	const char *spec = l->pattern ? l->pattern : "";
	const char *colon = strchr(spec, ':');
	const char *rest = colon ? colon + 1 : "";
	const char *sep = strchr(rest, ':');
	struct user_list u = {.out = l->out, .pattern = sep && sep[1] ? sep + 1 : "*"};
	snprintf(u.kind, sizeof(u.kind), "%.*s", colon ? (int)(colon - spec) : 0, spec);
	char path_pattern[4096];
	snprintf(path_pattern, sizeof(path_pattern), "%.*s", sep ? (int)(sep - rest) : (int)strlen(rest),
		 rest);
	if (l->pid > 0)
		return list_process(l, &u, *path_pattern ? path_pattern : "*", walk);
	if (probe_has_wildcard(path_pattern))
		return list_glob(l, &u, path_pattern, walk);
	snprintf(u.user_path, sizeof(u.user_path), "%s", path_pattern);
	int rc = elf_find_binary(u.user_path, u.path, sizeof(u.path));
	if (rc) {
		fprintf(l->err, "ebpfq: cannot find '%s': %s\n", u.user_path, strerror(-rc));
		return -1;
	}
	return list_one(l, &u, walk, false);
}

static int list_func(const struct elf_func *fn, void *arg)
{
	struct user_list *u = arg;
	fprintf(u->out, "%s:%s:%s\n", u->kind, u->user_path, fn->name);
	u->found++;
	return 0;
}

static int list_funcs(struct user_list *u)
{
	int rc = elf_for_each_func(u->path, u->pattern, list_func, u);
	return rc < 0 ? rc : u->found;
}

/* A binary's functions, for a pattern of this kind and a PATH only: a
 * machine has too many binaries to list them all. */
static int list_uprobes(const struct probe_list *l)
{
	const char *p = l->pattern;
	if (l->pid > 0 && !p) { /* -l -p PID: the process's functions */
		struct probe_list all = *l;
		all.pattern = "uprobe:*:*";
		return user_list(&all, list_funcs);
	}
	if (!p || (strncmp(p, "uprobe:", 7) && strncmp(p, "uretprobe:", 10)))
		return 0;
	return user_list(l, list_funcs);
}

static const struct probe_kind kinds[] = {
	{"uprobe", NULL, "u", resolve_uprobe, ENTRY},
	{"uretprobe", NULL, "ur", resolve_uprobe, RETURN},
	{NULL},
};

static const struct probe_context *const contexts[] = {
	&probe_ctx_pt_regs_entry, &probe_ctx_pt_regs_return, NULL,
};

const struct probe_provider probes_uprobe = {
	.family = "uprobe",
	.kinds = kinds,
	.contexts = contexts,
	.list = list_uprobes,
};
