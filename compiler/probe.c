/* probe.c - probe specs to attach points; see probe.h.
 *
 * The compiler decides here how a probe attaches, because that decides how
 * the program reads its context: `kprobe:sys_clone` on a kernel without
 * kprobes becomes a program for tracepoint syscalls:sys_enter_clone, whose
 * arguments sit at a different place than in pt_regs.
 */
#include "probe.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum spec_kind { SK_BEGIN, SK_END, SK_TRACEPOINT, SK_KPROBE, SK_KRETPROBE, SK_LATER };

struct kind_row {
	const char *name;
	enum spec_kind kind;
};

/* Every probe kind the language has.  SK_LATER kinds parse but are not
 * compiled yet: they get an error naming them, never a silent miscompile. */
static const struct kind_row kind_rows[] = {
	{"BEGIN", SK_BEGIN},          {"END", SK_END},
	{"tracepoint", SK_TRACEPOINT}, {"t", SK_TRACEPOINT},
	{"kprobe", SK_KPROBE},        {"k", SK_KPROBE},
	{"kretprobe", SK_KRETPROBE},  {"kr", SK_KRETPROBE},
	{"uprobe", SK_LATER},         {"uretprobe", SK_LATER},
	{"rawtracepoint", SK_LATER},  {"fentry", SK_LATER},
	{"fexit", SK_LATER},          {"kfunc", SK_LATER},
	{"kretfunc", SK_LATER},       {"usdt", SK_LATER},
	{"interval", SK_LATER},       {"profile", SK_LATER},
	{"software", SK_LATER},       {"hardware", SK_LATER},
};

static const char *const kind_names[] = {
	"BEGIN", "END", "tracepoint", "kprobe", "kretprobe", "uprobe", "uretprobe",
	"rawtracepoint", "fentry", "fexit", "kfunc", "kretfunc", "usdt", "interval",
	"profile", "software", "hardware", NULL,
};

struct resolve_ctx {
	const struct ast *spec;
	const struct eq_target *target;
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

/* Every tracepoint under tracefs matching the category and name patterns. */
static int expand_tracepoints(struct resolve_ctx *r, const char *cat_pat, const char *name_pat)
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
		if (expand_tracepoints(r, cat, name) == 0) {
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
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s", kind, func),
		.func = func,
		.attach = ret ? EQ_ATTACH_KRETPROBE : EQ_ATTACH_KPROBE,
		.prog_type = BPF_PROG_TYPE_KPROBE,
		.target = func,
		.ctx = CTX_PT_REGS,
	};
	p.note = arena_printf(r->arena, "%s %s", kind, func);
	if (has_wildcard(func)) {
		diag_error(r->diag, r->spec->loc, "kprobe wildcards are not supported yet");
		return -1;
	}
	add_point(r, p);
	return 0;
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

int probe_resolve(const struct ast *spec, const struct eq_target *target, struct arena *arena,
		  struct eq_diag *diag, struct attach_list *list)
{
	struct resolve_ctx r = {spec, target, arena, diag, list};
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
		case SK_LATER:
			diag_error(diag, spec->loc, "%s probes are not supported yet", row->name);
			return -1;
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

/* x86-64 struct pt_regs: di, si, dx, cx, r8, r9 carry the arguments, ax the
 * return value. */
static const uint32_t pt_regs_args[] = {112, 104, 96, 88, 72, 64};
enum { PT_REGS_AX = 80 };
/* struct trace_event_raw_sys_enter: 8 bytes of common fields, the syscall
 * number (long), then unsigned long args[6]; sys_exit: then long ret. */
enum { SYSCALL_ARGS_OFFSET = 16, SYSCALL_RET_OFFSET = 16 };

bool probe_ctx_arg(enum ctx_layout ctx, int n, uint32_t *offset, uint8_t *size)
{
	*size = 8;
	if (ctx == CTX_PT_REGS && n >= 0 && n < 6) {
		*offset = pt_regs_args[n];
		return true;
	}
	if (ctx == CTX_SYSCALL_ENTER && n >= 0 && n < 6) {
		*offset = SYSCALL_ARGS_OFFSET + 8 * (uint32_t)n;
		return true;
	}
	return false;
}

bool probe_ctx_retval(enum ctx_layout ctx, uint32_t *offset, uint8_t *size)
{
	*size = 8;
	if (ctx == CTX_PT_REGS) {
		*offset = PT_REGS_AX;
		return true;
	}
	if (ctx == CTX_SYSCALL_EXIT) {
		*offset = SYSCALL_RET_OFFSET;
		return true;
	}
	return false;
}

const char *probe_ctx_describe(enum ctx_layout ctx)
{
	switch (ctx) {
	case CTX_NONE: return "BEGIN and END probes";
	case CTX_PT_REGS: return "kprobes";
	case CTX_SYSCALL_ENTER: return "system call entry probes";
	case CTX_SYSCALL_EXIT: return "system call return probes";
	case CTX_TRACEPOINT: return "tracepoints";
	}
	return "this probe";
}
