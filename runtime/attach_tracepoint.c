/* attach_tracepoint.c - tracepoint programs: a perf event of the
 * tracepoint's id, and a BPF link from the program to it; or, for a program
 * that does not read the record, a raw tracepoint (attach_raw).  Raw
 * tracepoints and the syscall dispatcher's programs attach by name. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_internal.h"

int perf_event__open(struct perf_event_attr *attr, int pid, int cpu)
{
	attr->size = sizeof(*attr);
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

/* Link the program to an open perf event; older kernels need the ioctls. */
int perf_event__attach_prog(struct eq_session *s, int perf_fd, int prog)
{
	int prog_fd = s->prog_fds[prog];
	int link_fd = bpf_link_create(prog_fd, perf_fd, BPF_PERF_EVENT, NULL);
	if (link_fd < 0 &&
	    (ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0))) {
		int rc = -errno;
		close(perf_fd);
		return rc;
	}
	return session__add_link(s, perf_fd, link_fd);
}

int pmu__type(const char *pmu)
{
	char path[256];
	int type = -ENOENT;
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	FILE *f = fopen(path, "r");
	if (f && fscanf(f, "%d", &type) != 1)
		type = -EINVAL;
	if (f)
		fclose(f);
	return type;
}

int pmu__format_bit(const char *pmu, const char *field)
{
	char path[256], buf[64] = "";
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/format/%s", pmu, field);
	FILE *f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	char *ok = fgets(buf, sizeof(buf), f);
	fclose(f);
	const char *colon = ok ? strchr(buf, ':') : NULL; /* "config:0" or "config:32-63" */
	return colon ? atoi(colon + 1) : -EINVAL;
}

int probe_pmu__attach(struct eq_session *s, int prog, const char *pmu, int type, bool ret,
		      uint64_t config)
{
	const struct eq_prog *p = &s->img->progs[prog];
	struct perf_event_attr attr = {.type = (uint32_t)type, .config = config, .sample_period = 1,
				       .wakeup_events = 1, .config1 = (uint64_t)(uintptr_t)p->target,
				       .config2 = p->target_offset};
	int ret_bit = pmu__format_bit(pmu, "retprobe");
	if (ret && ret_bit >= 0)
		attr.config |= 1ull << ret_bit;
	int pfd = perf_event__open(&attr, -1, 0);
	return pfd < 0 ? pfd : perf_event__attach_prog(s, pfd, prog);
}

/* Raw tracepoints attach by name, with no perf event. */
int attach__raw_tracepoint(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	int fd = bpf_raw_tracepoint_open(p->target, s->prog_fds[prog]);
	if (fd < 0) {
		int rc = -errno;
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name,
			rc == -ENOENT ? "no such tracepoint"
			: rc == -EINVAL ? "the program reads more arguments than this tracepoint has"
					: strerror(-rc));
		return rc;
	}
	return session__add_link(s, -1, fd);
}

int attach__syscall(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	uint32_t key = p->tail_key;
	if (bpf_map_update_elem(s->map_fds[p->tail_map], &key, &s->prog_fds[prog], BPF_ANY)) {
		int rc = -errno;
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, strerror(-rc));
		return rc;
	}
	return 0;
}

/* A tracepoint whose program does not read the record runs as a raw
 * tracepoint's on the same tracepoint, which detaches without waiting: the
 * kernel frees a raw tracepoint's link after a grace period in the
 * background, while a perf event's close waits for one, under event_mutex,
 * one tracepoint after the other (about 45 ms each here).  Where the kernel
 * has no raw tracepoint of the event's name, the program is loaded again
 * for the perf event. */
static int attach_raw(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	const char *colon = strchr(p->target, ':');
	int fd = bpf_raw_tracepoint_open(colon ? colon + 1 : p->target, s->prog_fds[prog]);
	if (fd >= 0)
		return session__add_link(s, -1, fd);
	if (s->opts.verbose)
		fprintf(s->opts.err, "ebpfq: probe '%s': no raw tracepoint %s (%s); through a perf event\n",
			p->probe_name, colon ? colon + 1 : p->target, strerror(errno));
	return session__reload_prog(s, prog);
}

int attach__tracepoint(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	if (s->prog_load[prog] == RT_LOAD_RAW_TP) {
		int rc = attach_raw(s, prog);
		if (rc < 0 || s->prog_load[prog] == RT_LOAD_RAW_TP)
			return rc;
	}
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
	int pfd = perf_event__open(&attr, -1, 0);
	int rc = pfd < 0 ? pfd : perf_event__attach_prog(s, pfd, prog);
	if (rc < 0)
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, strerror(-rc));
	return rc;
}
