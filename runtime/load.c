/* load.c - maps and programs into the kernel, with libbpf's low-level calls.
 *
 * No bpf_object: the image already says everything libbpf would work out
 * from an ELF file, and skipping that (and its feature probing) is most of
 * why start-up takes about a millisecond.  One small BTF carries a FUNC per
 * program and the script's lines, so the verifier log and
 * `bpftool prog dump xlated` show the script.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "rt_internal.h"

enum { LOG_SIZE = 1 << 20, LOG_TAIL_LINES = 15 };

/* BPF object names: [A-Za-z0-9_.], at most 15 characters.  "@forks" is
 * "m_forks". */
static void object_name(const char *name, char *out)
{
	size_t n = 0;
	if (name[0] == '@') {
		out[n++] = 'm';
		out[n++] = '_';
		name++;
	}
	for (; *name && n < BPF_OBJ_NAME_LEN - 1; name++)
		out[n++] = (*name == '_' || *name == '.' || (*name >= 'a' && *name <= 'z') ||
			    (*name >= 'A' && *name <= 'Z') || (*name >= '0' && *name <= '9')) ? *name : '_';
	out[n] = 0;
}

/* The lost-events counter starts at 0; `elapsed` counts from now; an image
 * compiled ahead of time learns -p and -c here. */
static int init_data_map(const struct eq_run_opts *ro, int fd)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t value[EQ_DATA_WORDS] = {0};
	value[EQ_DATA_START_NS] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	value[EQ_DATA_FILTER_PID] = (uint64_t)ro->filter_pid;
	value[EQ_DATA_USER_PID] = (uint64_t)(ro->filter_pid ? ro->filter_pid : ro->child_pid);
	value[EQ_DATA_CHILD_PID] = (uint64_t)ro->child_pid;
	uint32_t key = 0;
	return bpf_map_update_elem(fd, &key, value, BPF_ANY);
}

int session__create_maps(struct eq_session *s)
{
	const struct eq_image *img = s->img;
	/* a ring buffer is a power of two of pages: the compiler counts 4 KiB
	 * ones, and this machine's may be bigger */
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < img->nmaps; i++) {
		const struct eq_map *m = &img->maps[i];
		char name[BPF_OBJ_NAME_LEN];
		object_name(m->name, name);
		struct rt_map_attrs attrs = {.type = m->type, .key_size = m->key_size,
					     .value_size = m->value_size, .max_entries = m->max_entries,
					     .flags = m->flags, .name = name};
		if (m->type == BPF_MAP_TYPE_RINGBUF && attrs.max_entries < page)
			attrs.max_entries = page;
		int fd = rt_map_create(&attrs);
		if (fd < 0) {
			fprintf(s->opts.err, "ebpfq: cannot create map %s: %s\n", m->name, strerror(errno));
			return -errno;
		}
		s->map_fds[i] = fd;
		if (m->role == EQ_MAP_DROPS && init_data_map(&s->opts, fd)) {
			fprintf(s->opts.err, "ebpfq: cannot set up map %s: %s\n", m->name, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* ---- BTF: a FUNC per program, and the script's lines ---------------------- */

struct prog_btf {
	struct btf *btf;
	int *func_ids;         /* per program */
	int callback_id;       /* the FUNC of every subprogram (a helper's callback) */
	int file_off;
};

static int btf_build(struct eq_session *s, struct prog_btf *pb)
{
	const struct eq_image *img = s->img;
	/* the kernel structs CO-RE relocations name first: they keep their ids */
	pb->btf = img->core_btf ? btf__new(img->core_btf, img->core_btf_size) : btf__new_empty();
	if (!pb->btf)
		return img->core_btf ? -EINVAL : -ENOMEM;
	int int_id = btf__add_int(pb->btf, "int", 4, BTF_INT_SIGNED);
	int ptr_id = btf__add_ptr(pb->btf, 0);
	pb->func_ids = calloc((size_t)img->nprogs + 1, sizeof(int));
	if (int_id < 0 || ptr_id < 0 || !pb->func_ids)
		return -ENOMEM;
	for (int i = 0; i < img->nprogs; i++) {
		int proto = btf__add_func_proto(pb->btf, int_id);
		if (proto < 0 || btf__add_func_param(pb->btf, "ctx", ptr_id) < 0)
			return -ENOMEM;
		pb->func_ids[i] = btf__add_func(pb->btf, img->progs[i].name, BTF_FUNC_GLOBAL, proto);
		if (pb->func_ids[i] < 0)
			return -ENOMEM;
	}
	int proto = btf__add_func_proto(pb->btf, int_id);
	if (proto < 0 || btf__add_func_param(pb->btf, "map", ptr_id) < 0)
		return -ENOMEM;
	pb->callback_id = btf__add_func(pb->btf, "ebpfq_callback", BTF_FUNC_STATIC, proto);
	pb->file_off = btf__add_str(pb->btf, img->file);
	return pb->file_off < 0 || pb->callback_id < 0 ? -ENOMEM : 0;
}

static struct bpf_line_info *line_info(struct prog_btf *pb, const struct eq_image *img,
				       const struct eq_prog *p)
{
	struct bpf_line_info *li = calloc(p->nlines + 1, sizeof(*li));
	for (uint32_t i = 0; li && i < p->nlines; i++) {
		const struct eq_line *l = &p->lines[i];
		const char *text = l->line >= 1 && (int)l->line <= img->nsource_lines
				 ? img->source_lines[l->line - 1] : "";
		int off = btf__add_str(pb->btf, text);
		li[i] = (struct bpf_line_info){.insn_off = l->insn_off, .file_name_off = (uint32_t)pb->file_off,
					       .line_off = off < 0 ? 0 : (uint32_t)off,
					       .line_col = l->line << 10 | (l->col & 0x3ff)};
	}
	return li;
}

/* ---- verifier rejections, told against the script ------------------------ */

/* The instruction the verifier stopped at: the last "N: (" line of the log. */
static long failing_insn(const char *log)
{
	long insn = -1;
	for (const char *p = log; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *end;
		long n = strtol(p, &end, 10);
		if (end != p && end[0] == ':' && end[1] == ' ' && end[2] == '(')
			insn = n;
	}
	return insn;
}

static void report_rejection(struct eq_session *s, const struct eq_prog *p, const char *log)
{
	FILE *err = s->opts.err;
	fprintf(err, "ebpfq: the kernel verifier rejected probe '%s'\n", p->probe_name);
	const char *lines[LOG_TAIL_LINES] = {0};
	int n = 0;
	const char *last = "";
	for (const char *q = log; *q;) {
		const char *nl = strchr(q, '\n');
		size_t len = nl ? (size_t)(nl - q) : strlen(q);
		if (len) {
			lines[n++ % LOG_TAIL_LINES] = q;
			if (strncmp(q, "processed ", 10) && strncmp(q, "verification time", 17))
				last = q;
		}
		q += len + (nl != NULL);
	}
	for (int i = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0; i < n; i++) {
		const char *l = lines[i % LOG_TAIL_LINES];
		fprintf(err, "    %.*s\n", (int)strcspn(l, "\n"), l);
	}
	long insn = failing_insn(log);
	const struct eq_line *where = NULL;
	for (uint32_t i = 0; i < p->nlines && insn >= 0; i++)
		if (p->lines[i].insn_off <= (uint32_t)insn)
			where = &p->lines[i];
	if (!where)
		return;
	const struct eq_image *img = s->img;
	fprintf(err, "%s:%u:%u: error: the kernel verifier rejected this: %.*s\n", img->file,
		where->line, where->col, (int)strcspn(last, "\n"), last);
	source__show(err, img, where->line, where->col);
}

void source__show(FILE *err, const struct eq_image *img, uint32_t line, uint32_t col)
{
	if (line < 1 || (int)line > img->nsource_lines)
		return;
	const char *text = img->source_lines[line - 1];
	fprintf(err, "%5u | %s\n      | ", line, text);
	for (uint32_t c = 1; c < col && text[c - 1]; c++)
		fputc(text[c - 1] == '\t' ? '\t' : ' ', err);
	fputs("^\n", err);
}

/* A kernel that refuses BTF trampolines (no CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS,
 * a lockdown, a security module): not the program's fault, so no verifier
 * excerpt, but what to use instead. */
static void report_no_trampolines(struct eq_session *s, const struct eq_prog *p, int rc, const char *log)
{
	FILE *err = s->opts.err;
	if (p->probe_name[0] == 'k') /* kprobe:FUNC on a kernel without kprobes */
		fprintf(err, "ebpfq: cannot load probe '%s': this kernel has no kprobes, and refuses the "
			     "fentry/fexit programs that would serve instead (%s)\n", p->probe_name,
			strerror(-rc));
	else
		fprintf(err, "ebpfq: cannot load probe '%s': this kernel refuses fentry/fexit programs "
			     "(%s)\n", p->probe_name, strerror(-rc));
	if (s->opts.verbose && *log)
		fprintf(err, "%s", log);
	const char *fn = p->target;
	if (!strncmp(fn, "__x64_sys_", 10) || !strncmp(fn, "__se_sys_", 9) || !strncmp(fn, "__do_sys_", 9) ||
	    !strncmp(fn, "sys_", 4)) {
		const char *name = strstr(fn, "sys_") + 4;
		fprintf(err, "ebpfq: hint: for this system call, use tracepoint:syscalls:sys_%s_%s (or "
			     "k%sprobe:sys_%s, which runs on it)\n",
			p->attach == EQ_ATTACH_FEXIT ? "exit" : "enter", name,
			p->attach == EQ_ATTACH_FEXIT ? "ret" : "", name);
	} else {
		kernel__hint_alternatives(err, p->probe_name[0] == 'k');
	}
}

/* ---- programs ------------------------------------------------------------ */

/* The image's instructions with map references turned into fds. */
static struct bpf_insn *patched_insns(struct eq_session *s, const struct eq_prog *p)
{
	struct bpf_insn *insns = malloc(sizeof(*insns) * (p->ninsns + 1));
	if (!insns)
		return NULL;
	memcpy(insns, p->insns, sizeof(*insns) * p->ninsns);
	for (uint32_t i = 0; i < p->nrefs; i++) {
		const struct eq_map_ref *r = &p->refs[i];
		struct bpf_insn *in = &insns[r->insn_index];
		in->src_reg = r->value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
		in->imm = s->map_fds[r->map_index];
		in[1].imm = r->value ? (int32_t)r->value_offset : 0;
	}
	return insns;
}

/* What the program is loaded as: the image's type, or a raw tracepoint's;
 * and the expected attach type its attachment needs. */
static uint32_t load_type(const struct eq_prog *p, enum rt_load how)
{
	return how == RT_LOAD_RAW_TP ? BPF_PROG_TYPE_RAW_TRACEPOINT : p->prog_type;
}

static uint32_t load_attach_type(const struct eq_prog *p, enum rt_load how)
{
	if (how == RT_LOAD_UPROBE_MULTI)
		return RT_BPF_TRACE_UPROBE_MULTI;
	if (p->attach == EQ_ATTACH_FENTRY || p->attach == EQ_ATTACH_FEXIT)
		return p->attach == EQ_ATTACH_FEXIT ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY;
	return 0;
}

/* Load program i as `how` says; a load other than the image's is tried once,
 * without a log, and a refusal is not reported (the image's load follows). */
static int load_one(struct eq_session *s, struct prog_btf *pb, int i, enum rt_load how)
{
	const struct eq_prog *p = &s->img->progs[i];
	struct bpf_insn *insns = patched_insns(s, p);
	struct bpf_line_info *lines = line_info(pb, s->img, p);
	/* one FUNC per function: the program's, then each subprogram's */
	struct bpf_func_info *funcs = calloc(p->nfuncs + 1, sizeof(*funcs));
	if (funcs) {
		funcs[0] = (struct bpf_func_info){.insn_off = 0, .type_id = (uint32_t)pb->func_ids[i]};
		for (uint32_t f = 0; f < p->nfuncs; f++)
			funcs[f + 1] = (struct bpf_func_info){.insn_off = p->func_starts[f],
							      .type_id = (uint32_t)pb->callback_id};
	}
	struct bpf_core_relo *relos = calloc(p->ncore_relos + 1, sizeof(*relos));
	for (uint32_t r = 0; relos && r < p->ncore_relos; r++)
		relos[r] = (struct bpf_core_relo){.insn_off = p->core_relos[r].insn_off * 8,
			.type_id = p->core_relos[r].type_id, .access_str_off = p->core_relos[r].access_str_off,
			.kind = p->core_relos[r].kind};
	char name[BPF_OBJ_NAME_LEN];
	object_name(p->name, name);
	int fd = -ENOMEM;
	int attempts = how == RT_LOAD_IMAGE ? 2 : 1;
	char *log = NULL; /* 1 MB, only for a program the kernel refused */
	if (p->ncore_relos && s->btf_fd < 0) {
		if (how == RT_LOAD_IMAGE)
			fprintf(s->opts.err, "ebpfq: cannot load probe '%s': this kernel refused the object's "
				"BTF, without which it cannot move the kernel struct offsets the program reads "
				"(CO-RE relocations) to its own\n", p->probe_name);
		attempts = 0;
		fd = -EINVAL;
	}
	for (int attempt = 0; insns && lines && funcs && relos && attempt < attempts; attempt++) {
		/* first without a log (fast), then with one to explain a rejection */
		struct rt_prog_attrs attrs = {
			.type = load_type(p, how), .expected_attach_type = load_attach_type(p, how),
			.name = name, .insns = insns, .ninsns = p->ninsns,
			.btf_fd = s->btf_fd, .func_info = funcs, .nfunc_info = p->nfuncs + 1,
			.line_info = lines, .nline_info = p->nlines,
			.core_relos = relos, .ncore_relos = p->ncore_relos,
			.log_size = attempt ? LOG_SIZE : 0};
		if (p->attach == EQ_ATTACH_FENTRY || p->attach == EQ_ATTACH_FEXIT)
			attrs.attach_btf_id = p->target_btf_id;
		if (attempt && !(attrs.log = log = calloc(1, LOG_SIZE)))
			break;
		fd = rt_prog_load(&attrs);
		if (fd >= 0)
			break;
		fd = -errno;
	}
	/* EPERM as root, or the kernel's internal ENOTSUPP: the kernel's
	 * refusal, not the verifier's */
	enum { KERNEL_ENOTSUPP = 524 };
	bool fentry = p->attach == EQ_ATTACH_FENTRY || p->attach == EQ_ATTACH_FEXIT;
	if (fd < 0 && how == RT_LOAD_IMAGE && insns && lines && attempts) {
		if (fentry && (fd == -EPERM || fd == -KERNEL_ENOTSUPP || fd == -EOPNOTSUPP))
			report_no_trampolines(s, p, fd, log ? log : "");
		else
			report_rejection(s, p, log ? log : "");
	}
	free(log);
	free(insns);
	free(lines);
	free(funcs);
	free(relos);
	return fd;
}

/* Can this kernel attach uprobe_multi links?  As libbpf asks: a program
 * loaded for them, linked to "/", is refused with EBADF (not a regular
 * file) by a kernel that knows them, with EINVAL by one that does not. */
bool kernel__has_uprobe_multi(struct eq_session *s)
{
	if (s->uprobe_multi >= 0)
		return s->uprobe_multi;
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct rt_prog_attrs attrs = {.type = BPF_PROG_TYPE_KPROBE,
				      .expected_attach_type = RT_BPF_TRACE_UPROBE_MULTI,
				      .insns = insns, .ninsns = 2, .btf_fd = -1};
	int prog = rt_prog_load(&attrs);
	uint64_t offset = 0;
	int link = prog < 0 ? -1 : uprobe_multi__link(prog, "/", &offset, NULL, 1, false);
	s->uprobe_multi = prog >= 0 && link == -EBADF;
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	return s->uprobe_multi;
}

/* How program i would best be loaded: for an attachment that detaches
 * without waiting where the kernel and the program allow one. */
static enum rt_load load_choice(struct eq_session *s, const struct eq_prog *p)
{
	switch (p->attach) {
	case EQ_ATTACH_UPROBE:
	case EQ_ATTACH_URETPROBE:
	case EQ_ATTACH_WATCH_SETUP:
		return !s->opts.no_uprobe_multi && kernel__has_uprobe_multi(s) ? RT_LOAD_UPROBE_MULTI
										: RT_LOAD_IMAGE;
	case EQ_ATTACH_TRACEPOINT:
		/* the syscall events are not tracepoints of their own name (they
		 * are raw_syscalls' records) */
		return p->ctx_unused && !s->opts.no_raw_tracepoints && strncmp(p->target, "syscalls:", 9)
			? RT_LOAD_RAW_TP : RT_LOAD_IMAGE;
	default:
		return RT_LOAD_IMAGE;
	}
}

int session__load_progs(struct eq_session *s)
{
	const struct eq_image *img = s->img;
	struct prog_btf *pb = calloc(1, sizeof(*pb));
	s->pb = pb;
	int rc = pb ? btf_build(s, pb) : -ENOMEM;
	s->btf_fd = -1;
	if (!rc) {
		/* line strings go in before the load, so add them for every program now */
		for (int i = 0; i < img->nprogs; i++)
			free(line_info(pb, img, &img->progs[i]));
		uint32_t size = 0;
		const void *data = btf__raw_data(pb->btf, &size);
		s->btf_fd = data ? rt_btf_load(data, size) : -1;
		if (s->btf_fd < 0 && s->opts.verbose)
			fprintf(s->opts.err, "ebpfq: the kernel refused the line info; loading without it\n");
	}
	for (int i = 0; i < img->nprogs && !rc; i++) {
		enum rt_load how = load_choice(s, &img->progs[i]);
		int fd = load_one(s, pb, i, how);
		if (fd < 0 && how != RT_LOAD_IMAGE)
			fd = load_one(s, pb, i, how = RT_LOAD_IMAGE);
		if (fd < 0) {
			rc = -EINVAL;
			break;
		}
		s->prog_fds[i] = fd;
		s->prog_load[i] = (unsigned char)how;
		if (s->opts.verbose)
			fprintf(s->opts.err, "ebpfq: %s (%s): %u instructions, attaches to %s%s\n",
				img->progs[i].name, img->progs[i].probe_name, img->progs[i].ninsns,
				img->progs[i].attach_note,
				how == RT_LOAD_RAW_TP ? " (as a raw tracepoint: it does not read the record)"
				: how == RT_LOAD_UPROBE_MULTI ? " (through a uprobe_multi link)" : "");
	}
	return rc;
}

int session__reload_prog(struct eq_session *s, int prog)
{
	int fd = s->pb ? load_one(s, s->pb, prog, RT_LOAD_IMAGE) : -ENOMEM;
	if (fd < 0)
		return fd;
	close(s->prog_fds[prog]);
	s->prog_fds[prog] = fd;
	s->prog_load[prog] = RT_LOAD_IMAGE;
	return 0;
}

void session__free_btf(struct eq_session *s)
{
	if (!s->pb)
		return;
	btf__free(s->pb->btf);
	free(s->pb->func_ids);
	free(s->pb);
	s->pb = NULL;
}
