/* rt_internal.h - what the runtime's files share: the session. */
#ifndef EBPFQ_RT_INTERNAL_H
#define EBPFQ_RT_INTERNAL_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <time.h>

#include "runtime.h"

/* One attachment of a program: a perf event and the BPF link on it (either
 * may be -1: a raw tracepoint or fentry link has no perf event).  A program
 * has several: profile runs on every CPU. */
struct rt_link {
	int perf_fd;
	int link_fd;
};

struct symbolizer; /* symbolize.c */
struct prog_btf;   /* load.c: the programs' BTF, kept until they are attached */

/* BPF_TRACE_UPROBE_MULTI (Linux 6.6, include/uapi/linux/bpf.h's enum
 * bpf_attach_type), which Debian 12's 6.1 headers and libbpf 1.1 lack. */
enum { RT_BPF_TRACE_UPROBE_MULTI = 48 };

/* How a program was loaded: as the image says, or for an attachment that
 * detaches sooner (doc/probes.md, "Detaching"); a program that cannot
 * attach that way is loaded again as the image says (session__reload_prog). */
enum rt_load {
	RT_LOAD_IMAGE,        /* the image's program type and attach */
	RT_LOAD_UPROBE_MULTI, /* a uprobe's, for a uprobe_multi link */
	RT_LOAD_RAW_TP,       /* a tracepoint's that never reads its record: a raw
	                         tracepoint program on the same tracepoint */
};

/* A watchpoint set at run time: its program and address. */
struct rt_watch {
	int prog;
	uint64_t addr;
};

struct eq_session {
	const struct eq_image *img;
	struct eq_run_opts opts;
	int *map_fds;            /* by image map index */
	int *prog_fds;           /* by image program index */
	unsigned char *prog_load; /* by program: enum rt_load */
	int btf_fd;
	struct prog_btf *pb;     /* until attached: to load a program again */
	int uprobe_multi;        /* uprobe_multi links: -1 not asked yet, 0 no, 1 yes */
	struct rt_link *links;
	int nlinks, links_cap;
	struct ring_buffer *rb;
	int ncpus;               /* possible CPUs: per-CPU values come in this many slots */
	bool *zeroed;            /* by map: zero() ran on it since the last clear() */
	bool exit_requested;     /* exit() in the script: later events are ignored */
	bool in_end;             /* END is running: its events are printed */
	bool began;              /* BEGIN ran: END runs at exit */
	bool detached;           /* tracing is over: no watchpoint is set any more */
	struct rt_watch *watches; /* watchpoints set on functions' arguments */
	int nwatches, watches_cap;
	long malformed;          /* records that made no sense */
	long *helper_failures;   /* -k: by output, the failures of its helper call */
	struct render_cache *render; /* names looked up for username, cgroup_path */
	int out_errno;           /* the first failed write of the script's output */
	struct symbolizer *sym;  /* names of the addresses of stacks and symbols */
	struct pending_line *lines; /* by thread: a line printed in pieces (events.c),
	                               an open-addressing table of nlines places */
	int nlines, nlines_used;
	FILE *line_stream;       /* where an event's text is made before it joins its line */
	char *line_text;
	size_t line_size;
	/* --export: the metrics server, whose threads read the maps and render
	 * keys while the main thread handles events; `lock` keeps the two
	 * apart where they share state (the symbol tables, the render cache,
	 * `zeroed`), taken only while there is a server */
	struct exporter *exporter;
	pthread_mutex_t lock;
};

/* export.c: listen on opts.export_addr (before attaching: a port in use
 * leaves nothing attached), then serve (once attached and BEGIN has run:
 * nothing but events touches the session from then on), stop (before the
 * maps are printed at exit, and in rt_session_free); 0 or a negative errno
 * after a message. */
int export__listen(struct eq_session *s);
int export__serve(struct eq_session *s);
void export__stop(struct eq_session *s);
/* --info's line: whether --export is there, and its libmicrohttpd */
void export__info(FILE *out);
/* The session's lock, where a server may be running. */
void session__lock(struct eq_session *s);
void session__unlock(struct eq_session *s);

/* load.c */
/* The script's line `line` and a caret under column `col`, as the
 * compiler's diagnostics show them. */
void source__show(FILE *err, const struct eq_image *img, uint32_t line, uint32_t col);
/* bpf_sys.c: the bpf() commands of a session's set-up, without libbpf's
 * feature probes; each answers a file descriptor, or -1 and errno. */
struct rt_map_attrs {
	uint32_t type, key_size, value_size, max_entries, flags;
	const char *name;
};
struct rt_prog_attrs {
	uint32_t type, expected_attach_type, attach_btf_id;
	const char *name;
	const struct bpf_insn *insns;
	uint32_t ninsns;
	int btf_fd; /* -1: no func or line info */
	const struct bpf_func_info *func_info;
	uint32_t nfunc_info;
	const struct bpf_line_info *line_info;
	uint32_t nline_info;
	const struct bpf_core_relo *core_relos; /* CO-RE, applied by the kernel (5.17+) */
	uint32_t ncore_relos;
	char *log; /* the verifier's log, if log_size */
	uint32_t log_size;
};
int rt_map_create(const struct rt_map_attrs *m);
int rt_btf_load(const void *data, uint32_t size);
int rt_prog_load(const struct rt_prog_attrs *p);

int session__create_maps(struct eq_session *s);
int session__load_progs(struct eq_session *s);
/* Load program prog again as the image says (an attachment of the way it
 * was loaded for failed); 0 or a negative errno after a message. */
int session__reload_prog(struct eq_session *s, int prog);
/* The programs are attached: their BTF's user-space copy goes. */
void session__free_btf(struct eq_session *s);
/* Can this kernel attach uprobe_multi links?  (Asked once.) */
bool kernel__has_uprobe_multi(struct eq_session *s);
/* runtime.c: record an attachment, closed at detach (takes the fds) */
int session__add_link(struct eq_session *s, int perf_fd, int link_fd);
/* detach.c: close every attachment, those whose release waits for the
 * kernel in parallel; returns when all are gone and none of the programs
 * runs any more */
void session__detach(struct eq_session *s);
/* runtime.c: flush the script's output, keeping the first write error */
void session__flush(struct eq_session *s);
/* attach_tracepoint.c: perf events, shared by the attach files */
struct perf_event_attr;
int perf_event__open(struct perf_event_attr *attr, int pid, int cpu);
/* Link prog to an open perf event and record both; closes perf_fd on failure. */
int perf_event__attach_prog(struct eq_session *s, int perf_fd, int prog);
/* A PMU's type number and a config bit from /sys/bus/event_source/devices/PMU. */
int pmu__type(const char *pmu);
int pmu__format_bit(const char *pmu, const char *field);
/* A kprobe or uprobe through its PMU: target (function or path) at
 * target_offset, a return probe if ret, with more config bits; 0 or a
 * negative errno, no message. */
int probe_pmu__attach(struct eq_session *s, int prog, const char *pmu, int type, bool ret,
		      uint64_t config);
/* attach_*.c: attach one program; negative errno after a message */
int attach__tracepoint(struct eq_session *s, int prog);
int attach__raw_tracepoint(struct eq_session *s, int prog);
/* a syscall tracepoint's program into its dispatcher's table (the
 * dispatcher, attached after it, is a raw tracepoint) */
int attach__syscall(struct eq_session *s, int prog);
int attach__kprobe(struct eq_session *s, int prog);
/* What a kernel that cannot serve a kernel-function probe offers instead
 * (with, for a kprobe, the syscall tracepoints kprobe:sys_NAME runs on). */
void kernel__hint_alternatives(FILE *err, bool kprobe);
int attach__fentry(struct eq_session *s, int prog);
int attach__uprobe(struct eq_session *s, int prog);
/* A uprobe_multi link of prog_fd on cnt file offsets of path (with their
 * USDT semaphores' offsets, or NULL), return probes if ret: its fd, or a
 * negative errno. */
int uprobe_multi__link(int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *ref_ctr_offsets, uint32_t cnt, bool ret);
int attach__perf_event(struct eq_session *s, int prog);
/* attach_watchpoint.c: a watchpoint on a fixed address; one on a function's
 * argument is set by watch__event, from its setup uprobe's EQ_OUT_WATCH */
int attach__watchpoint(struct eq_session *s, int prog);
void watch__event(struct eq_session *s, const struct eq_output *o, const void *data);
int special__run(struct eq_session *s, int prog);
/* events.c */
int events__open(struct eq_session *s);
void events__drain(struct eq_session *s);
/* -k: how many more times each failing helper call failed */
void helper_failures__report(struct eq_session *s);
/* A user map read out of the kernel (map_view.c): one entry per key, the
 * CPUs' values combined, sorted as bpftrace prints them. */
struct map_entry {
	const unsigned char *key;   /* the user's key (a histogram's without the bucket) */
	const unsigned char *value; /* a plain value's bytes (int, string, tuple) */
	int64_t number;             /* count, sum, min, max, int; avg and stats: the
	                               average; histograms: the total count */
	int64_t count, total;       /* avg, stats */
	uint64_t *buckets;          /* hist, lhist: counts by bucket */
};
struct map_view {
	const struct eq_map *m;
	struct map_entry *entries;
	int count, cap;
	uint32_t key_size;          /* bytes of the user's key */
};
int map_view__read(struct eq_session *s, int map, struct map_view *v);
/* What reading a map gathers, entry by entry (map_view.c). */
struct bucket_entry;
struct reading {
	struct eq_session *s;
	int map;
	struct map_view *v;
	struct bucket_entry *buckets; /* histograms: the kernel's (key, bucket) entries */
	int nb, cap;
};
/* A map read a step at a time: each map_cursor__next appends the entries
 * of up to MAP_BATCH kernel entries to v, their CPUs' values combined
 * (histograms' (key, bucket) entries are kept in the cursor until the end,
 * as the map_view__read a whole map gathers them).  open: 0 or -ENOMEM;
 * next: 0, 1 when the map is over, or a negative errno. */
enum { MAP_BATCH = 1024 };
struct map_cursor {
	struct eq_session *s;
	int map, fd;
	size_t vbytes;
	bool started, done, one_by_one;
	unsigned char *keys, *values, *in, *out;
	struct reading r;
};
int map_cursor__open(struct eq_session *s, int map, struct map_view *v, struct map_cursor *c);
int map_cursor__next(struct map_cursor *c, struct map_view *v);
void map_cursor__close(struct map_cursor *c);
/* Entries in key order (as print sorts keys of equal values). */
void map_view__sort_by_key(struct map_view *v);
int map_view__read_key(struct eq_session *s, int map, const unsigned char *key, struct map_view *v);
void map_view__free(struct map_view *v);
/* The first entry print(@m, top) shows. */
int map_view__first_shown(const struct map_view *v, uint32_t top);
bool map__is_hist(const struct eq_map *m);
int map__buckets(const struct eq_map *m);
size_t map__value_bytes(const struct eq_session *s, const struct eq_map *m);

/* actions.c: system() and cat() when their event arrives */
void action__system(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size);
void action__cat(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size);
/* time(): the time now */
void action__time(struct eq_session *s, const struct eq_output *o);
/* strftime(3) of the local time at `when`, with %f its microseconds
 * (6 digits), into buf[size]; returns the length (0 if it did not fit). */
size_t time__format(char *buf, size_t size, const char *fmt, const struct timespec *when);
/* A printf-kind record's text (malloc'd, NUL-terminated; NULL if out of
 * memory), its length in *len. */
char *record__text(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size, size_t *len);
/* format_render.c: an EQ_FIELD_TEXT value as text (the session, if given,
 * remembers the names it looked up, until render__free) */
struct render_cache;
void render__text(FILE *out, struct eq_session *s, const struct eq_field *f, const unsigned char *p);
void render__free(struct eq_session *s);
/* events.c: the lines threads have begun and not ended (image lines_by_thread),
 * printed as they are (before END runs, and at exit); then freed */
void lines__flush(struct eq_session *s);
void lines__free(struct eq_session *s);
/* format.c (s: for stacks and symbols, which need the session's maps and
 * symbol tables) */
void value__print(FILE *out, struct eq_session *s, const struct eq_field *f, const void *data,
		  bool json);
void key__print(FILE *out, struct eq_session *s, const struct eq_map *m, const unsigned char *key,
		bool json);
void json__string(FILE *out, const char *s, size_t n);
/* One part of a map key (one of m->key_fields) as key__print writes it. */
void key_part__print(FILE *out, struct eq_session *s, const struct eq_field *f, const unsigned char *key);
/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
size_t utf8_length(const unsigned char *p, size_t n);
/* format_map.c */
void map__print(struct eq_session *s, int map, uint32_t top, uint32_t div);
void map__print_entry(struct eq_session *s, int map, const unsigned char *key);
void entry__print_number(FILE *out, const struct eq_map *m, const struct map_entry *e, uint32_t div);
void map__clear(struct eq_session *s, int map);
void map__zero(struct eq_session *s, int map);
void map__delete_entry(struct eq_session *s, int map, const unsigned char *key);
void maps__print_all(struct eq_session *s);
/* format_hist.c */
void hist__print(FILE *out, const struct eq_map *m, const uint64_t *buckets, uint32_t div);
void hist__print_json(FILE *out, const struct eq_map *m, const uint64_t *buckets, uint32_t div);
/* format_json.c */
void json__map(FILE *out, struct eq_session *s, const struct map_view *v, uint32_t top, uint32_t div);
void json__entry(FILE *out, struct eq_session *s, const struct eq_map *m, const struct map_entry *e,
		 uint32_t div);
void json__count(FILE *out, const char *type, const char *field, uint64_t n);
/* {"type": TYPE, "data": "TEXT"}: printf's output ("printf"), system()'s
 * ("syscall", as bpftrace names it), cat()'s ("cat") */
void json__text(FILE *out, const char *type, const char *text, size_t len);
void json__value(FILE *out, struct eq_session *s, const struct eq_field *f, const void *data);

/* symbolize.c: kstack, ustack, ksym, usym as text */
struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *sy);
/* Read the kernel's symbols in the background from now on. */
void symbolizer__prefetch_kernel(struct symbolizer *sy);
/* Remember process pid's memory map now, while it runs (EQ_OUT_WATCH_PID). */
void symbolizer__watch(struct symbolizer *sy, int pid);
/* A stack or symbol field's value at p as text; a stack's frames indented
 * by `indent` spaces (bpftrace: 4 in a map key, else 8). */
void symbolic__print(FILE *out, struct eq_session *s, const struct eq_field *f,
		     const unsigned char *p, int indent);
bool image__has_kernel_symbols(const struct eq_image *img);

#endif
