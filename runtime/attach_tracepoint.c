/* attach_tracepoint.c - tracepoint programs: a perf event of the
 * tracepoint's id, and a BPF link from the program to it. */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_internal.h"

int perf_event__open(struct perf_event_attr *attr, int cpu)
{
	attr->size = sizeof(*attr);
	long fd = syscall(SYS_perf_event_open, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

/* Link the program to an open perf event; older kernels need the ioctls. */
int perf_event__attach_prog(int perf_fd, int prog_fd, struct rt_link *link)
{
	link->perf_fd = perf_fd;
	link->link_fd = bpf_link_create(prog_fd, perf_fd, BPF_PERF_EVENT, NULL);
	if (link->link_fd >= 0)
		return 0;
	if (ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0))
		return -errno;
	return 0;
}

int attach__tracepoint(struct eq_session *s, int prog, struct rt_link *link)
{
	const struct eq_prog *p = &s->img->progs[prog];
	const char *tracefs = rt_tracefs_dir();
	char category[256];
	const char *colon = strchr(p->target, ':');
	snprintf(category, sizeof(category), "%.*s", (int)(colon ? colon - p->target : 0), p->target);
	long id = tracefs && colon ? rt_tracepoint_id(tracefs, category, colon + 1) : -ENOENT;
	if (id < 0) {
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': no such tracepoint %s\n",
			p->probe_name, p->target);
		return (int)id;
	}
	struct perf_event_attr attr = {.type = PERF_TYPE_TRACEPOINT, .config = (uint64_t)id,
				       .sample_period = 1, .wakeup_events = 1};
	int pfd = perf_event__open(&attr, 0);
	int rc = pfd < 0 ? pfd : perf_event__attach_prog(pfd, s->prog_fds[prog], link);
	if (rc < 0) {
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, strerror(-rc));
		if (pfd >= 0)
			close(pfd);
		link->perf_fd = link->link_fd = -1;
	}
	return rc;
}
