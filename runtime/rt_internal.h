/* rt_internal.h - what the runtime's files share: the session. */
#ifndef EBPFQ_RT_INTERNAL_H
#define EBPFQ_RT_INTERNAL_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime.h"

/* One attached program: a perf event and the BPF link on it. */
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
	int nlinks;
	struct ring_buffer *rb;
	int ncpus;               /* possible CPUs: per-CPU values come in this many slots */
	bool exit_requested;     /* exit() in the script */
	bool began;              /* BEGIN ran: END runs at exit */
	long malformed;          /* records that made no sense */
};

/* load.c */
int session__create_maps(struct eq_session *s);
int session__load_progs(struct eq_session *s);
/* attach_tracepoint.c: perf events, shared by the attach files */
struct perf_event_attr;
int perf_event__open(struct perf_event_attr *attr, int cpu);
int perf_event__attach_prog(int perf_fd, int prog_fd, struct rt_link *link);
/* attach_*.c: attach one program, filling link; negative errno after a message */
int attach__tracepoint(struct eq_session *s, int prog, struct rt_link *link);
int attach__kprobe(struct eq_session *s, int prog, struct rt_link *link);
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
