/* probes.h - probe kinds as providers, one family per file (DESIGN.md §3).
 *
 * A provider is what one family of probes knows: the names its kinds are
 * written with, how a spec of each kind resolves into attach points, the
 * context layouts those attach points have (where argN and retval are),
 * and what `-l` lists for it.  registry.c holds the table of providers and
 * is the only place that looks a kind up by name; compiler/probe.h is the
 * interface the rest of the compiler sees, and does not change when a
 * family is added.
 *
 *   special.c     BEGIN, END
 *   tracepoint.c  tracepoint, rawtracepoint, the syscall tracepoints that
 *                 kprobe:sys_NAME runs on; tracepoint formats
 *   kprobe.c      kprobe, kretprobe (and where each runs without kprobes)
 *   uprobe.c      uprobe, uretprobe; finding binaries
 *   fentry.c      fentry, fexit (kfunc, kretfunc); the kernel's BTF
 *   usdt.c        usdt (operands: usdt_args.c)
 *   perf.c        interval, profile, software, hardware
 *   watchpoint.c  watchpoint, asyncwatchpoint (hardware breakpoints)
 *   regs.c        struct pt_regs: the context of kprobes and uprobes
 */
#ifndef EBPFQ_PROBES_H
#define EBPFQ_PROBES_H

#include <stdio.h>

#include "probe.h"

/* One spec being resolved: what every resolve function is given. */
struct probe_resolve {
	const struct ast *spec;
	const struct eq_target *target;
	struct probe_cache *cache;
	struct arena *arena;
	struct eq_diag *diag;
	struct attach_list *list; /* where the attach points go */
	bool optional;            /* see probe_resolve */
};

struct probe_kind;
/* Resolve the spec's text after "KIND:" (empty if there is no colon) into
 * attach points; 0, or -1 after an error at the spec. */
typedef int (*probe_resolve_fn)(struct probe_resolve *r, const struct probe_kind *kind,
				const char *rest);

/* One kind of spec, as it is written. */
struct probe_kind {
	const char *name;       /* "kretprobe" */
	const char *alias;      /* another full name ("kretfunc"), or NULL */
	const char *short_name; /* bpftrace's abbreviation ("kr"), or NULL; not offered
	                           by did-you-mean */
	probe_resolve_fn resolve;
	int variant;            /* the provider's own distinction between kinds that
	                           share a resolve function (a return probe, every CPU) */
};

/* One context layout: where the program finds argN and retval. */
struct probe_context {
	enum ctx_layout ctx;
	const char *describe;   /* "arg0 is not available in <describe>" */
	/* NULL: the layout has no such value */
	bool (*arg)(const struct attach_point *ap, int n, struct tp_field *out);
	bool (*retval)(const struct attach_point *ap, struct tp_field *out);
};

/* What `-l [PATTERN]` is given. */
struct probe_list {
	FILE *out, *err;
	const char *pattern;          /* NULL: everything */
	const char *(*tracefs)(void); /* finds (or mounts) tracefs, only when asked */
	int pid;                      /* -l -p PID: that process's user probes only */
	bool verbose;                 /* -lv: what each probe gives (a tracepoint's fields) */
};

struct probe_provider {
	const char *family;                   /* "tracepoint" */
	const struct probe_kind *kinds;       /* ends with a NULL name */
	/* the context layouts its attach points have, ending in NULL; a layout
	 * two families share (struct pt_regs) is in both */
	const struct probe_context *const *contexts;
	/* -l: print the probes of this family the pattern matches; how many, or
	 * -1 after a message.  NULL: the family lists nothing. */
	int (*list)(const struct probe_list *l);
};

extern const struct probe_provider probes_special, probes_tracepoint, probes_kprobe,
	probes_uprobe, probes_fentry, probes_usdt, probes_perf, probes_watchpoint;

/* ---- shared by the providers ----------------------------------------------- */

/* registry.c */
void probe_add_point(struct probe_resolve *r, struct attach_point p);
bool probe_has_wildcard(const char *s);
/* Might a -l pattern name probes of this kind?  (Its part before the first
 * ':' matches the kind; a pattern without one might name anything.) */
bool probe_list_kind_may_match(const char *pattern, const char *kind);
/* A pattern without wildcards or a kind matches as a substring. */
bool probe_list_matches(const char *pattern, const char *name);
/* Print name if the pattern matches it; 1 if it did, else 0. */
int probe_list_name(const struct probe_list *l, const char *name);

/* tracepoint.c */
bool tracepoint_exists(const char *tracefs, const char *cat, const char *name);
/* kprobe:sys_NAME on a kernel without kprobes: its syscall tracepoint. */
int tracepoint_syscall_point(struct probe_resolve *r, const char *func, bool ret);

/* fentry.c: the fentry/fexit attach point for a kernel function, typed from
 * its BTF, into *out.  Returns 0, or -1 (after an error at the spec if
 * `report`). */
int fentry_point(struct probe_resolve *r, const char *func, bool ret, bool report,
		 struct attach_point *out);

/* uprobe.c */
/* Split "PATH:REST" at the first ':'; reports and returns NULL if either
 * part is empty. */
const char *uprobe_split_path(struct probe_resolve *r, const char *rest, const char *usage,
			      char **path);
/* The file a user probe's PATH names, or NULL after an error at the spec. */
const char *uprobe_find_binary(struct probe_resolve *r, const char *path);
/* uprobes (uretprobes if ret) on what SYM names in the binary PATH names,
 * added to r->list as for `uprobe:PATH:SYM`; 0, or -1 after an error. */
int uprobe_resolve_sym(struct probe_resolve *r, const char *user_path, const char *sym, bool ret);
/* `-l 'KIND:PATH:PATTERN'`: what is listed of one binary. */
struct user_list {
	FILE *out;
	char kind[16], user_path[4096], path[4096]; /* as written; the file PATH names */
	const char *pattern;
	int found;
};
/* Find the binary (every one a wildcarded PATH matches; with -p, every
 * file the process has mapped that PATH matches), then walk(u) prints what
 * matches and returns how many, or -errno if the file cannot be read; the
 * total, or -1 after a message. */
int user_list(const struct probe_list *l, int (*walk)(struct user_list *u));

/* regs.c: struct pt_regs of the architecture ebpfq is built for */
extern const struct probe_context probe_ctx_pt_regs_entry, probe_ctx_pt_regs_return;
/* where the n-th argument of a function (0..5) is in struct pt_regs */
bool regs_arg_offset(int n, uint32_t *offset);
/* where the n-th argument of a system call (0..5) is */
uint32_t regs_syscall_arg_offset(int n);

#endif
