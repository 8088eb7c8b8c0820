/* watchpoint.c - watchpoint:ADDRESS:LENGTH:MODE and
 * watchpoint:[PATH:]FUNCTION+argN:LENGTH:MODE (asyncwatchpoint for the
 * second): hardware breakpoints, the CPU's debug registers, which run the
 * program when the watched bytes are read, written or executed.
 *
 * As in bpftrace, with -p PID or -c CMD the address is the process's and
 * the watchpoint is set in it (every thread); without them the address is
 * the kernel's and the watchpoint is set on every CPU.  FUNCTION+argN watches
 * an address known only when FUNCTION is called: a uprobe on it (`setup`)
 * sends argN to ebpfq, which then sets the watchpoint -- having stopped the
 * process meanwhile (SIGSTOP from the uprobe's program, SIGCONT once the
 * watchpoint is set), so that no access is missed; asyncwatchpoint lets it
 * run on.  bpftrace 0.17 writes that form FUNCTION+argN and finds FUNCTION in
 * the -c command or the -p process; ebpfq also takes a PATH.
 */
#include "probes.h"

#include <linux/hw_breakpoint.h>
#include <stdlib.h>
#include <string.h>

enum { SYNC, ASYNC };

/* A watchpoint's LENGTH:MODE, into w; false after an error. */
static bool parse_watch(struct probe_resolve *r, const char *len, const char *mode, struct eq_watch *w)
{
	char *end;
	unsigned long n = strtoul(len, &end, 10);
	if (*end || (n != 1 && n != 2 && n != 4 && n != 8)) {
		diag_error(r->diag, r->spec->loc, "a watchpoint's length is 1, 2, 4 or 8 bytes, not '%s'", len);
		return false;
	}
	w->len = (uint32_t)n;
	static const struct { char c; uint32_t bit; } modes[] = {
		{'r', HW_BREAKPOINT_R}, {'w', HW_BREAKPOINT_W}, {'x', HW_BREAKPOINT_X},
	};
	w->type = 0;
	for (const char *c = mode; *c; c++) {
		uint32_t bit = 0;
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (*c == modes[i].c)
				bit = modes[i].bit;
		if (!bit)
			break;
		if (w->type & bit) {
			diag_error(r->diag, r->spec->loc, "a watchpoint's mode names '%c' twice", *c);
			return false;
		}
		w->type |= bit;
	}
	if (!*mode || strspn(mode, "rwx") != strlen(mode)) {
		diag_error(r->diag, r->spec->loc, "a watchpoint's mode is made of r (read), w (write) and "
			   "x (execute), not '%s'", mode);
		return false;
	}
	/* what the debug registers can do (bpftrace's invalid_watchpoint_modes):
	 * execution alone, and on x86 no reads without writes */
	if ((w->type & HW_BREAKPOINT_X) && w->type != HW_BREAKPOINT_X) {
		diag_error(r->diag, r->spec->loc, "a watchpoint cannot watch execution (x) together with "
			   "reads or writes");
		diag_hint(r->diag, r->spec->loc, "use two probes, one for each");
		return false;
	}
#if defined(__x86_64__)
	if (w->type == HW_BREAKPOINT_R) {
		diag_error(r->diag, r->spec->loc, "x86-64 cannot watch reads alone: its debug registers "
			   "watch writes (w), reads and writes (rw), or execution (x)");
		diag_hint(r->diag, r->spec->loc, "watch rw");
		return false;
	}
#endif
	/* an execution watchpoint covers one instruction: the kernel wants the
	 * length of a long for it, whatever the script says (as bpftrace does
	 * since 0.21) */
	if (w->type == HW_BREAKPOINT_X)
		w->len = sizeof(long);
	return true;
}

/* "rw", for -v */
static const char *mode_text(struct probe_resolve *r, uint32_t type)
{
	return arena_printf(r->arena, "%s%s%s", type & HW_BREAKPOINT_R ? "r" : "",
			    type & HW_BREAKPOINT_W ? "w" : "", type & HW_BREAKPOINT_X ? "x" : "");
}

/* Is addr in the kernel's half of the address space? */
static bool kernel_address(uint64_t addr)
{
	return addr >> 63;
}

/* watchpoint:ADDRESS:LENGTH:MODE */
static int watch_address(struct probe_resolve *r, const char *kind, const char *text,
			 const char *len_mode, struct eq_watch w)
{
	char *end;
	uint64_t addr = strtoull(text, &end, 0);
	if (*end || !*text || *text == '-') {
		diag_error(r->diag, r->spec->loc, "'%s' is neither an address (a number, as 0x404038) nor "
			   "FUNCTION+argN", text);
		return -1;
	}
	if (!addr) {
		diag_error(r->diag, r->spec->loc, "a watchpoint needs an address other than 0");
		return -1;
	}
	if (w.type != HW_BREAKPOINT_X && addr % w.len) {
		diag_error(r->diag, r->spec->loc, "cannot watch %u bytes from %s: a watchpoint of %u bytes "
			   "starts at a multiple of %u", w.len, text, w.len, w.len);
		return -1;
	}
	w.per_process = r->target->pid || r->target->command;
	if (!w.per_process && !kernel_address(addr)) {
		diag_error(r->diag, r->spec->loc, "without -p PID or -c CMD a watchpoint's address is the "
			   "kernel's, and %s is a user-space address", text);
		diag_hint(r->diag, r->spec->loc, "name the process whose memory it is: -p PID or -c CMD");
		return -1;
	}
	w.addr = addr;
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s:%s", kind, text, len_mode),
		.func = text,
		.attach = EQ_ATTACH_WATCHPOINT,
		.prog_type = BPF_PROG_TYPE_PERF_EVENT,
		.target = text,
		.ctx = CTX_WATCHPOINT,
		.user = w.per_process && !kernel_address(addr),
		.watch = w,
	};
	p.note = arena_printf(r->arena, "hardware breakpoint (%s) on %u bytes at 0x%llx, %s",
			      mode_text(r, w.type), w.len, (unsigned long long)addr,
			      w.per_process ? "in the traced process" : "on every CPU");
	probe_add_point(r, p);
	return 0;
}

/* The binary FUNCTION is in when the spec names no PATH: the -c command's,
 * or the -p process's, as bpftrace 0.17 finds it. */
static const char *traced_binary(struct probe_resolve *r)
{
	if (r->target->command) {
		const char *c = r->target->command + strspn(r->target->command, " \t");
		return arena_strndup(r->arena, c, strcspn(c, " \t"));
	}
	return arena_printf(r->arena, "/proc/%d/exe", r->target->pid);
}

/* watchpoint:[PATH:]FUNCTION+argN:LENGTH:MODE: a watchpoint program for
 * each function FUNCTION names, each with the uprobe that sets it up. */
static int watch_argument(struct probe_resolve *r, const char *kind, const char *path, const char *what,
			  const char *len_mode, struct eq_watch w)
{
	const char *plus = strrchr(what, '+');
	char *end = NULL;
	long n = !strncmp(plus + 1, "arg", 3) && plus[4] ? strtol(plus + 4, &end, 10) : -1;
	uint32_t offset;
	if (plus == what || !end || *end || !regs_arg_offset((int)n, &offset)) {
		diag_error(r->diag, r->spec->loc, "'%s' is not FUNCTION+argN (arg0 to arg5)", what);
		return -1;
	}
	if (!r->target->pid && !r->target->command) {
		diag_error(r->diag, r->spec->loc, "a watchpoint on a function's argument needs -p PID or "
			   "-c CMD: it is set in that process when the function is called");
		return -1;
	}
	w.per_process = true;
	struct attach_list found = {0};
	struct probe_resolve sub = *r;
	sub.list = &found;
	char *func = arena_strndup(r->arena, what, (size_t)(plus - what));
	if (uprobe_resolve_sym(&sub, path ? path : traced_binary(r), func, false))
		return -1;
	for (int i = 0; i < found.count; i++) {
		struct attach_point *setup = &found.items[i];
		struct attach_point p = {
			.probe_name = arena_printf(r->arena, "%s:%s%s%s%s:%s", kind, path ? path : "",
						   path ? ":" : "", setup->func, plus, len_mode),
			.func = setup->func,
			.attach = EQ_ATTACH_WATCHPOINT,
			.prog_type = BPF_PROG_TYPE_PERF_EVENT,
			.target = what,
			.ctx = CTX_WATCHPOINT,
			.user = true,
			.watch = w,
			.setup = setup,
			.setup_arg = (int)n,
		};
		p.note = arena_printf(r->arena, "hardware breakpoint (%s) on %u bytes at arg%ld of %s, set "
				      "in the traced process when it is called%s", mode_text(r, w.type),
				      w.len, n, setup->func, w.async ? "" : ", which waits stopped meanwhile");
		setup->attach = EQ_ATTACH_WATCH_SETUP;
		setup->probe_name = arena_printf(r->arena, "%s (setup)", p.probe_name);
		setup->note = arena_printf(r->arena, "%s: sends arg%ld to ebpfq, which sets the "
					   "watchpoint%s", setup->note, n,
					   w.async ? "" : " while the process is stopped");
		probe_add_point(r, p);
	}
	return 0;
}

static int resolve_watchpoint(struct probe_resolve *r, const struct probe_kind *k, const char *rest)
{
	/* from the right: MODE, LENGTH, then ADDRESS or FUNCTION+argN, then PATH */
	const char *mode = strrchr(rest, ':');
	const char *len = mode ? memrchr(rest, ':', (size_t)(mode - rest)) : NULL;
	if (!len || len == rest) {
		diag_error(r->diag, r->spec->loc, "a watchpoint is written %s:ADDRESS:LENGTH:MODE or "
			   "%s:[PATH:]FUNCTION+argN:LENGTH:MODE", k->name, k->name);
		return -1;
	}
	struct eq_watch w = {.async = k->variant == ASYNC};
	char *len_text = arena_strndup(r->arena, len + 1, (size_t)(mode - len - 1));
	if (!parse_watch(r, len_text, mode + 1, &w))
		return -1;
	char *what = arena_strndup(r->arena, rest, (size_t)(len - rest));
	char *path = NULL;
	char *colon = strchr(what, ':');
	if (colon) {
		path = what;
		*colon = 0;
		what = colon + 1;
	}
	if (strchr(what, '+'))
		return watch_argument(r, k->name, path, what, len + 1, w);
	if (w.async) {
		diag_error(r->diag, r->spec->loc, "asyncwatchpoint watches the address a function is given: "
			   "it is written asyncwatchpoint:[PATH:]FUNCTION+argN:LENGTH:MODE");
		diag_hint(r->diag, r->spec->loc, "a fixed address needs no setup: watchpoint:%s", rest);
		return -1;
	}
	if (path) {
		diag_error(r->diag, r->spec->loc, "a watchpoint on an address names no binary: it is "
			   "written watchpoint:ADDRESS:LENGTH:MODE");
		return -1;
	}
	return watch_address(r, k->name, what, len + 1, w);
}

/* -l lists no watchpoints (any address may be watched), as bpftrace; a
 * pattern of this kind is told so rather than given nothing. */
static int list_watchpoints(const struct probe_list *l)
{
	const char *p = l->pattern;
	if (!p || (strncmp(p, "watchpoint:", 11) && strncmp(p, "asyncwatchpoint:", 16)))
		return 0;
	fprintf(l->err, "ebpfq: watchpoints are not listed: any address can be watched "
		"(watchpoint:ADDRESS:LENGTH:MODE, watchpoint:[PATH:]FUNCTION+argN:LENGTH:MODE)\n");
	return -1;
}

/* The program's context is struct bpf_perf_event_data, which starts with the
 * registers at the access: argN are the argument registers there, which
 * hold the function's arguments only until it changes them. */
static bool access_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	return regs_arg_offset(n, &out->offset);
}

static const struct probe_kind kinds[] = {
	{"watchpoint", NULL, "w", resolve_watchpoint, SYNC},
	{"asyncwatchpoint", NULL, "aw", resolve_watchpoint, ASYNC},
	{NULL},
};

static const struct probe_context access_regs = {CTX_WATCHPOINT, "watchpoint probes", access_arg, NULL};
static const struct probe_context *const contexts[] = {&access_regs, NULL};

const struct probe_provider probes_watchpoint = {
	.family = "watchpoint",
	.kinds = kinds,
	.contexts = contexts,
	.list = list_watchpoints,
};
