/* symbolize.c - stacks and symbols as text, as bpftrace 0.17 prints them:
 *
 *   kstack, ustack   "\n" and a line per frame: "        func+off" (4 spaces
 *                    in a map key), or in perf mode "\tADDR func+off" and,
 *                    for a user frame, " (module)"; an address no symbol
 *                    holds is "0x..." ("0x... ([unknown])")
 *   ksym, usym       the name of the symbol holding the address, or "0x..."
 *
 * Kernel addresses go through /proc/kallsyms, read once (in the background
 * from the attach on, when the image has kernel stacks or symbols: the
 * kernel takes a tenth of a second to write it), sorted, searched by
 * halves.  A user address goes through the memory map of its process
 * (/proc/PID/maps, read when the program first announces the process,
 * EQ_OUT_WATCH_PID, or at the first print; so a process that has exited
 * still symbolizes) to a file and an offset in it, and through that file's
 * symbol table (common/symtab.c, read once per file: cached by path and
 * inode) to a name.  Each lookup is a binary search, so a stack of N frames
 * costs N log(symbols).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_internal.h"
#include "symtab.h"

/* One file a process maps, with its symbols (read on first use). */
struct sym_file {
	char *path;
	unsigned long inode;
	enum { FILE_UNREAD, FILE_READ, FILE_UNREADABLE } state;
	struct symtab st;
};

/* One file-backed mapping of a process: [start, end) holds the file's
 * bytes from offset. */
struct mapping {
	uint64_t start, end, offset;
	struct sym_file *file;
};

struct proc_map {
	int pid;                 /* 0: a free slot of the table */
	struct mapping *maps;    /* by start */
	int count;
	bool reread;             /* read again once, for an address it lacked (dlopen) */
};

struct symbolizer {
	struct symtab kernel;
	enum { KERNEL_UNREAD, KERNEL_LOADING, KERNEL_READ } kernel_state;
	int kernel_rc;
	pthread_t loader;
	struct sym_file **files;
	int nfiles, files_cap;
	struct proc_map *procs;  /* open addressing by pid, cap a power of two */
	int nprocs, procs_cap;
};

struct symbolizer *symbolizer__new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

/* ---- the kernel's symbols ----------------------------------------------------------- */

static void *load_kernel(void *arg)
{
	struct symbolizer *sy = arg;
	sy->kernel_rc = symtab_read_kallsyms(&sy->kernel);
	return NULL;
}

/* The loader blocks every signal: SIGINT and the rest are the main
 * thread's, whose poll they must wake. */
void symbolizer__prefetch_kernel(struct symbolizer *sy)
{
	sigset_t all, old;
	if (sy->kernel_state != KERNEL_UNREAD)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (!pthread_create(&sy->loader, NULL, load_kernel, sy))
		sy->kernel_state = KERNEL_LOADING;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static const struct symtab *kernel_symbols(struct symbolizer *sy)
{
	if (sy->kernel_state == KERNEL_LOADING)
		pthread_join(sy->loader, NULL);
	else if (sy->kernel_state == KERNEL_UNREAD)
		load_kernel(sy);
	sy->kernel_state = KERNEL_READ;
	return sy->kernel_rc ? NULL : &sy->kernel;
}

/* ---- files and processes ----------------------------------------------------------- */

static struct sym_file *file_of(struct symbolizer *sy, const char *path, unsigned long inode)
{
	for (int i = 0; i < sy->nfiles; i++)
		if (sy->files[i]->inode == inode && !strcmp(sy->files[i]->path, path))
			return sy->files[i];
	if (sy->nfiles == sy->files_cap) {
		int cap = sy->files_cap ? 2 * sy->files_cap : 32;
		struct sym_file **grown = realloc(sy->files, sizeof(*grown) * (size_t)cap);
		if (!grown)
			return NULL;
		sy->files = grown;
		sy->files_cap = cap;
	}
	struct sym_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	f->inode = inode;
	sy->files[sy->nfiles++] = f;
	return f;
}

/* The file's symbols, read the first time: only if the file at its path is
 * still the one mapped (a rebuilt binary has another inode, and its
 * symbols would lie). */
static const struct symtab *file_symbols(struct sym_file *f)
{
	if (f->state == FILE_UNREAD) {
		struct stat st;
		bool same = !stat(f->path, &st) && (unsigned long)st.st_ino == f->inode;
		f->state = same && !symtab_read_elf(f->path, SYMTAB_DEBUG_FILE, &f->st) ? FILE_READ
			   : FILE_UNREADABLE;
	}
	return f->state == FILE_READ ? &f->st : NULL;
}

static int by_start(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* /proc/PID/maps into p: its file-backed mappings. */
static void read_maps(struct symbolizer *sy, struct proc_map *p)
{
	char path[64], line[4096 + 128];
	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	int cap = p->count;
	while (fgets(line, sizeof(line), f)) {
		/* 55d86d0c6000-55d86d0c7000 r-xp 00001000 fe:01 1234 /tmp/chain */
		uint64_t start, end, offset;
		unsigned long inode;
		int name = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %lu %n", &start, &end, &offset,
			   &inode, &name) < 4 || !name || line[name] != '/')
			continue;
		line[name + strcspn(line + name, "\n")] = 0;
		if (p->count == cap) {
			cap = cap ? 2 * cap : 32;
			struct mapping *grown = realloc(p->maps, sizeof(*grown) * (size_t)cap);
			if (!grown)
				break;
			p->maps = grown;
		}
		struct sym_file *file = file_of(sy, line + name, inode);
		if (file)
			p->maps[p->count++] = (struct mapping){start, end, offset, file};
	}
	fclose(f);
	if (p->count)
		qsort(p->maps, (size_t)p->count, sizeof(*p->maps), by_start);
}

/* The table's slot for pid: its entry, or the free slot it would take. */
static struct proc_map *proc_slot(struct proc_map *table, int cap, int pid)
{
	unsigned i = (unsigned)pid * 2654435761u & (unsigned)(cap - 1);
	while (table[i].pid && table[i].pid != pid)
		i = (i + 1) & (unsigned)(cap - 1);
	return &table[i];
}

static bool grow_procs(struct symbolizer *sy)
{
	int cap = sy->procs_cap ? 2 * sy->procs_cap : 64;
	struct proc_map *table = calloc((size_t)cap, sizeof(*table));
	if (!table)
		return false;
	for (int i = 0; i < sy->procs_cap; i++)
		if (sy->procs[i].pid)
			*proc_slot(table, cap, sy->procs[i].pid) = sy->procs[i];
	free(sy->procs);
	sy->procs = table;
	sy->procs_cap = cap;
	return true;
}

/* Process pid's memory map, read now if it was not (an exited process has
 * none: its addresses print in hex). */
static struct proc_map *proc_of(struct symbolizer *sy, int pid)
{
	if (pid <= 0 || ((sy->nprocs + 1) * 2 > sy->procs_cap && !grow_procs(sy)))
		return NULL;
	struct proc_map *p = proc_slot(sy->procs, sy->procs_cap, pid);
	if (!p->pid) {
		p->pid = pid;
		sy->nprocs++;
		read_maps(sy, p);
	}
	return p;
}

void symbolizer__watch(struct symbolizer *sy, int pid)
{
	proc_of(sy, pid);
}

static const struct mapping *find_mapping(const struct proc_map *p, uint64_t addr)
{
	int lo = 0, hi = p->count;
	while (lo < hi) { /* the first mapping starting above addr */
		int mid = lo + (hi - lo) / 2;
		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < p->maps[lo - 1].end ? &p->maps[lo - 1] : NULL;
}

/* ---- addresses to text --------------------------------------------------------------- */

/* What a symbol lookup found: the name and the offset into it, and the
 * file of a user address (for perf mode), each NULL if unknown. */
struct resolved {
	const char *name;
	uint64_t offset;
	const char *module;
};

static struct resolved resolve_kernel(struct symbolizer *sy, uint64_t addr)
{
	const struct symtab *st = kernel_symbols(sy);
	const struct symtab_sym *s = st ? symtab_find_addr(st, addr) : NULL;
	return s ? (struct resolved){symtab_name(st, s), addr - s->addr, NULL} : (struct resolved){0};
}

static struct resolved resolve_user(struct symbolizer *sy, int pid, uint64_t addr)
{
	struct proc_map *p = proc_of(sy, pid);
	const struct mapping *m = p ? find_mapping(p, addr) : NULL;
	if (p && !m && !p->reread) { /* mapped since (dlopen), if it still runs */
		p->reread = true;
		p->count = 0;
		read_maps(sy, p);
		m = find_mapping(p, addr);
	}
	const struct symtab *st = m ? file_symbols(m->file) : NULL;
	uint64_t vaddr;
	if (!st || symtab_offset_to_vaddr(st, addr - m->start + m->offset, &vaddr))
		return (struct resolved){0};
	const struct symtab_sym *s = symtab_find_addr(st, vaddr);
	return (struct resolved){s ? symtab_name(st, s) : NULL, s ? vaddr - s->addr : 0, m->file->path};
}

/* An address nothing names, as bpftrace writes a pointer (C++'s void *). */
static void print_address(FILE *out, uint64_t addr)
{
	if (addr)
		fprintf(out, "0x%" PRIx64, addr);
	else
		fputc('0', out);
}

/* ksym(a), usym(a): the name alone. */
static void symbol__print(FILE *out, struct symbolizer *sy, const struct eq_field *f,
			  const unsigned char *p)
{
	uint64_t addr, pid;
	memcpy(&addr, p, 8);
	memcpy(&pid, p + 8, 8);
	struct resolved r = f->user ? resolve_user(sy, (int)pid, addr) : resolve_kernel(sy, addr);
	if (r.name)
		fputs(r.name, out);
	else
		print_address(out, addr);
}

static void frame__print(FILE *out, struct symbolizer *sy, const struct eq_field *f, int pid,
			 uint64_t addr, int indent)
{
	struct resolved r = f->user ? resolve_user(sy, pid, addr) : resolve_kernel(sy, addr);
	if (f->stack_mode == EQ_STACK_PERF)
		fprintf(out, "\t%" PRIx64 " ", addr);
	else
		fprintf(out, "%*s", indent, "");
	if (r.name)
		fprintf(out, "%s+%" PRIu64, r.name, r.offset);
	else
		print_address(out, addr);
	if (f->stack_mode == EQ_STACK_PERF && f->user)
		fprintf(out, " (%s)", r.name && r.module ? r.module : "[unknown]");
	fputc('\n', out);
}

/* The stack map holding stacks of this many frames: the first, or the
 * second (which takes the stacks the first refused). */
static int stack_map_fd(const struct eq_session *s, uint16_t frames, bool second)
{
	for (int i = 0; i < s->img->nmaps; i++)
		if (s->img->maps[i].role == EQ_MAP_STACKS && s->img->maps[i].value_size == 8u * frames) {
			if (!second)
				return s->map_fds[i];
			second = false;
		}
	return -1;
}

/* kstack, ustack: nothing for a stack the program could not take. */
static void stack__print(FILE *out, struct eq_session *s, const struct eq_field *f,
			 const unsigned char *p, int indent)
{
	int64_t id;
	uint64_t pid, frames[1024];
	memcpy(&id, p, 8);
	memcpy(&pid, p + 8, 8);
	uint32_t n = f->frames <= 1024 ? f->frames : 1024;
	memset(frames, 0, n * sizeof(frames[0])); /* valgrind cannot see the kernel fill it */
	uint32_t key = (uint32_t)id;
	if (id < 0 || bpf_map_lookup_elem(stack_map_fd(s, f->frames, id >> 32), &key, frames))
		return;
	fputc('\n', out);
	for (uint32_t i = 0; i < n && frames[i]; i++)
		frame__print(out, s->sym, f, (int)pid, frames[i], indent);
}

void symbolic__print(FILE *out, struct eq_session *s, const struct eq_field *f,
		     const unsigned char *p, int indent)
{
	if (f->kind == EQ_FIELD_STACK)
		stack__print(out, s, f, p, indent);
	else if (f->kind == EQ_FIELD_TEXT)
		render__text(out, s, f, p);
	else
		symbol__print(out, s->sym, f, p);
}

/* ---- the session's ------------------------------------------------------------------ */

static bool field_is_kernel_symbolic(const struct eq_field *f)
{
	if ((f->kind == EQ_FIELD_STACK || f->kind == EQ_FIELD_SYMBOL) && !f->user)
		return true;
	for (int i = 0; f->kind == EQ_FIELD_TUPLE && i < f->nelems; i++)
		if (field_is_kernel_symbolic(&f->elems[i]))
			return true;
	return false;
}

/* Does anything of the image print kernel stacks or symbols?  Then the
 * kernel's symbols are read while it runs, not when it is stopped. */
bool image__has_kernel_symbols(const struct eq_image *img)
{
	for (int i = 0; i < img->nmaps; i++) {
		const struct eq_map *m = &img->maps[i];
		for (int k = 0; m->role == EQ_MAP_USER && k < m->nkey_fields; k++)
			if (field_is_kernel_symbolic(&m->key_fields[k]))
				return true;
		if (m->role == EQ_MAP_USER && field_is_kernel_symbolic(&m->value_field))
			return true;
	}
	for (int i = 0; i < img->noutputs; i++) {
		const struct eq_output *o = &img->outputs[i];
		if (o->kind == EQ_OUT_PRINT_VALUE && field_is_kernel_symbolic(&o->value))
			return true;
		for (int a = 0; o->args && a < o->nargs; a++) /* join() counts strings in nargs */
			if (o->args[a].kind == EQ_ARG_FIELD && field_is_kernel_symbolic(&o->args[a].field))
				return true;
	}
	return false;
}

void symbolizer__free(struct symbolizer *sy)
{
	if (!sy)
		return;
	if (sy->kernel_state == KERNEL_LOADING) /* a loader still running ends first */
		pthread_join(sy->loader, NULL);
	symtab_free(&sy->kernel);
	for (int i = 0; i < sy->nfiles; i++) {
		symtab_free(&sy->files[i]->st);
		free(sy->files[i]->path);
		free(sy->files[i]);
	}
	free(sy->files);
	for (int i = 0; i < sy->procs_cap; i++)
		free(sy->procs[i].maps);
	free(sy->procs);
	free(sy);
}
