/* tracepoint.c - tracepoint:CATEGORY:NAME and rawtracepoint:[CATEGORY:]NAME,
 * and the syscall tracepoints kprobe:sys_NAME runs on where the kernel has
 * no kprobes.
 *
 * A tracepoint's program reads its record: args->FIELD is typed from
 * tracefs events/CAT/NAME/format, read here.  The syscall records have a
 * fixed layout (argN, retval), which a program run by the syscall
 * dispatcher finds in raw_syscalls' context and the registers instead
 * (probe_syscall_source).
 */
#include "probes.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool tracepoint_exists(const char *tracefs, const char *cat, const char *name)
{
	char path[1024];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, cat, name);
	return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0;
}

static void add_tracepoint(struct probe_resolve *r, const char *cat, const char *name)
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
	probe_add_point(r, p);
}

/* Every tracepoint under tracefs matching the category and name patterns:
 * added as attach points, or only counted. */
static int scan_tracepoints(struct probe_resolve *r, const char *cat_pat, const char *name_pat, bool add)
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
static int resolve_tracepoint(struct probe_resolve *r, const struct probe_kind *kind, const char *rest)
{
	const char *colon = strchr(rest, ':');
	if (!colon || colon == rest || !colon[1] || strchr(colon + 1, ':')) {
		diag_error(r->diag, r->spec->loc, "a tracepoint probe is written tracepoint:CATEGORY:NAME");
		return -1;
	}
	char *cat = arena_strndup(r->arena, rest, (size_t)(colon - rest));
	const char *name = colon + 1;
	if (!r->target->tracefs) {
		if (probe_has_wildcard(cat) || probe_has_wildcard(name)) {
			diag_error(r->diag, r->spec->loc, "cannot expand '%s': tracefs is not available",
				   r->spec->name);
			return -1;
		}
		add_tracepoint(r, cat, name);
		return 0;
	}
	if (probe_has_wildcard(cat) || probe_has_wildcard(name)) {
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

/* kprobe:sys_NAME / kretprobe:sys_NAME without kprobes: the system call's
 * tracepoint, whose argN and retval mean the same. */
int tracepoint_syscall_point(struct probe_resolve *r, const char *func, bool ret)
{
	const char *kind = ret ? "kretprobe" : "kprobe";
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
	probe_add_point(r, p);
	return 0;
}

/* rawtracepoint:NAME or rawtracepoint:CATEGORY:NAME: the kernel attaches by
 * name alone. */
static int resolve_raw_tracepoint(struct probe_resolve *r, const struct probe_kind *kind,
				  const char *rest)
{
	const char *name = strrchr(rest, ':') ? strrchr(rest, ':') + 1 : rest;
	if (!*name || probe_has_wildcard(rest)) {
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
	probe_add_point(r, p);
	return 0;
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
	*f = (struct tp_field){.name = arena_strndup(arena, name, (size_t)(end - name)), .c_type = type,
			       .offset = off, .size = size, .is_signed = sign != 0};
	if (strstr(type, "__data_loc"))
		f->kind = TPF_DATA_LOC;
	else if (bracket && strstr(type, "char"))
		f->kind = TPF_CHARS;
	else if (bracket) { /* __u8 saddr_v6[16], u32 addr[4] */
		f->kind = TPF_ARRAY;
		f->count = (uint32_t)strtoul(bracket + 1, NULL, 10);
		if (!f->count || size % f->count)
			return false;
		uint32_t elem = size / f->count;
		c_type_info(type, elem, &f->bits, &f->is_signed);
		return elem == 1 || elem == 2 || elem == 4 || elem == 8;
	} else
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

static bool syscall_enter_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	out->offset = SYSCALL_ARGS_OFFSET + 8 * (uint32_t)n;
	return n < 6;
}

static bool syscall_exit_retval(const struct attach_point *ap, struct tp_field *out)
{
	out->offset = SYSCALL_RET_OFFSET;
	return true;
}

/* struct bpf_raw_tracepoint_args: u64 args[] */
static bool raw_tracepoint_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	out->offset = 8 * (uint32_t)n;
	return n < 12;
}

bool probe_syscall_source(const struct attach_point *ap, uint32_t record_offset,
			  struct syscall_source *out)
{
	bool exit = ap->ctx == CTX_SYSCALL_EXIT;
	if (record_offset == SYSCALL_NR_OFFSET) {
		/* entry: the id raw_syscalls passes; exit: only the registers have it */
		*out = exit ? (struct syscall_source){true, probe_syscall_nr_reg()}
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
	*out = (struct syscall_source){true,
				       regs_syscall_arg_offset((int)(record_offset - SYSCALL_ARGS_OFFSET) / 8)};
	return true;
}

/* ---- -l ---------------------------------------------------------------------- */

/* -lv: the tracepoint's fields, as its format declares them, indented
 * (bpftrace's layout: "    __u16 sport"). */
static void list_fields(const struct probe_list *l, const char *tracefs, const char *event)
{
	char path[1024], line[1024];
	const char *colon = strchr(event, ':');
	if (!colon)
		return;
	snprintf(path, sizeof(path), "%s/events/%.*s/%s/format", tracefs, (int)(colon - event), event,
		 colon + 1);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		const char *decl = strstr(line, "field:");
		const char *semi = decl ? strchr(decl, ';') : NULL;
		if (semi && !strstr(decl, " common_"))
			fprintf(l->out, "    %.*s\n", (int)(semi - decl - 6), decl + 6);
	}
	if (f)
		fclose(f);
}

/* Tracepoints from tracefs available_events, one "CATEGORY:NAME" a line. */
static int list_tracepoints(const struct probe_list *l)
{
	if (!probe_list_kind_may_match(l->pattern, "tracepoint"))
		return 0;
	int found = 0;
	const char *tracefs = l->tracefs();
	char path[512], line[512], name[600];
	snprintf(path, sizeof(path), "%s/available_events", tracefs ? tracefs : "");
	FILE *f = tracefs ? fopen(path, "r") : NULL;
	if (!f)
		fprintf(l->err, "ebpfq: cannot list tracepoints: tracefs is not available (need root)\n");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		snprintf(name, sizeof(name), "tracepoint:%s", line);
		if (probe_list_name(l, name)) {
			found++;
			if (l->verbose)
				list_fields(l, tracefs, line);
		}
	}
	if (f)
		fclose(f);
	return found;
}

static const struct probe_kind kinds[] = {
	{"tracepoint", NULL, "t", resolve_tracepoint},
	{"rawtracepoint", NULL, "rt", resolve_raw_tracepoint},
	{NULL},
};

static const struct probe_context record = {CTX_TRACEPOINT, "tracepoints", NULL, NULL},
	syscall_enter = {CTX_SYSCALL_ENTER, "system call entry probes", syscall_enter_arg, NULL},
	syscall_exit = {CTX_SYSCALL_EXIT, "system call return probes", NULL, syscall_exit_retval},
	raw_args = {CTX_RAW_TRACEPOINT, "raw tracepoints", raw_tracepoint_arg, NULL};
static const struct probe_context *const contexts[] = {
	&record, &syscall_enter, &syscall_exit, &raw_args, NULL,
};

const struct probe_provider probes_tracepoint = {
	.family = "tracepoint",
	.kinds = kinds,
	.contexts = contexts,
	.list = list_tracepoints,
};
