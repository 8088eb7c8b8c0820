/* attach_kprobe.c - kprobes and kretprobes through the kprobe PMU.
 * A kernel without kprobes gets an error that says what it offers instead. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_internal.h"

static int read_int(const char *path, int *value)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int rc = fscanf(f, "%d", value) == 1 ? 0 : -EINVAL;
	fclose(f);
	return rc;
}

/* The bit of perf_event_attr.config that asks for a return probe. */
static int retprobe_bit(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "r");
	if (!f)
		return 0;
	char *ok = fgets(buf, sizeof(buf), f);
	fclose(f);
	const char *colon = ok ? strchr(buf, ':') : NULL;
	return colon ? atoi(colon + 1) : 0;
}

int attach__kprobe(struct eq_session *s, int prog, struct rt_link *link)
{
	const struct eq_prog *p = &s->img->progs[prog];
	FILE *err = s->opts.err;
	link->perf_fd = link->link_fd = -1;
	int type;
	if (!rt_kernel_has_kprobes() ||
	    read_int("/sys/bus/event_source/devices/kprobe/type", &type)) {
		fprintf(err, "ebpfq: cannot attach probe '%s': this kernel has no kprobes "
			     "(CONFIG_KPROBES is off)\n", p->probe_name);
		fprintf(err, "ebpfq: hint: this kernel offers tracepoints (ebpfq -l 'tracepoint:*'), raw "
			     "tracepoints, uprobes and perf events; for a system call use kprobe:sys_NAME, "
			     "which runs on tracepoint:syscalls:sys_enter_NAME\n");
		return -EOPNOTSUPP;
	}
	struct perf_event_attr attr = {.type = (uint32_t)type, .sample_period = 1, .wakeup_events = 1,
				       .config1 = (uint64_t)(uintptr_t)p->target};
	if (p->attach == EQ_ATTACH_KRETPROBE)
		attr.config |= 1ull << retprobe_bit();
	int pfd = perf_event__open(&attr, 0);
	int rc = pfd < 0 ? pfd : perf_event__attach_prog(pfd, s->prog_fds[prog], link);
	if (rc < 0) {
		fprintf(err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name,
			rc == -ENOENT || rc == -EINVAL ? "no such kernel function (or it cannot be probed)"
						       : strerror(-rc));
		if (pfd >= 0)
			close(pfd);
		link->perf_fd = link->link_fd = -1;
	}
	return rc;
}
