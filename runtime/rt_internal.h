/* rt_internal.h - what the runtime's files share: the session. */
#ifndef EBPFQ_RT_INTERNAL_H
#define EBPFQ_RT_INTERNAL_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime.h"

/* One attachment of a program: a perf event and the BPF link on it (either
 * may be -1: a raw tracepoint or fentry link has no perf event).  A program
 * has several: profile runs on every CPU. */
struct rt_link {
	int perf_fd;
	int link_fd;
};

struct eq_session {
	const struct eq_image *img;
	struct eq_run_opts opts;
	int *map_fds;            /* by image map index */
	int *prog_fds;           /* by image program index */
	int btf_fd;
	struct rt_link *links;
	int nlinks, links_cap;
	struct ring_buffer *rb;
	int ncpus;               /* possible CPUs: per-CPU values come in this many slots */
	bool exit_requested;     /* exit() in the script */
	bool began;              /* BEGIN ran: END runs at exit */
	long malformed;          /* records that made no sense */
};

/* load.c */
int session__create_maps(struct eq_session *s);
int session__load_progs(struct eq_session *s);
/* runtime.c: record an attachment, closed at detach (takes the fds) */
int session__add_link(struct eq_session *s, int perf_fd, int link_fd);
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
int attach__perf_event(struct eq_session *s, int prog);
int special__run(struct eq_session *s, int prog);
/* events.c */
int events__open(struct eq_session *s);
void events__drain(struct eq_session *s);
/* format.c */
void map__print(struct eq_session *s, int map);
void map__clear(struct eq_session *s, int map);
void maps__print_all(struct eq_session *s);
void json__string(FILE *out, const char *s, size_t n);

#endif
