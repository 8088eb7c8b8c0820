/* attach_perf.c - interval, profile, software and hardware probes: sampling
 * perf events, on CPU 0 (interval) or one per CPU (the others), each
 * running the program when its period elapses. */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>

#include "rt_internal.h"

static void report(struct eq_session *s, const struct eq_prog *p, int rc)
{
	FILE *err = s->opts.err;
	if (p->perf.type == PERF_TYPE_HARDWARE && (rc == -ENOENT || rc == -EOPNOTSUPP || rc == -ENODEV)) {
		fprintf(err, "ebpfq: cannot attach probe '%s': this machine has no hardware performance "
			     "counters (the CPU's PMU is not available here, as in most virtual machines)\n",
			p->probe_name);
		fprintf(err, "ebpfq: hint: software:cpu-clock:PERIOD and profile:hz:N sample on a timer "
			     "instead\n");
		return;
	}
	fprintf(err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, strerror(-rc));
}

int attach__perf_event(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	struct perf_event_attr attr = {.type = p->perf.type, .config = p->perf.config,
				       .sample_period = p->perf.period, .freq = p->perf.freq};
	int attached = 0;
	for (int cpu = 0; cpu < (p->perf.every_cpu ? s->ncpus : 1); cpu++) {
		int pfd = perf_event__open(&attr, -1, cpu);
		if (pfd == -ENODEV)
			continue; /* a possible CPU that is offline */
		int rc = pfd < 0 ? pfd : perf_event__attach_prog(s, pfd, prog);
		if (rc < 0) {
			report(s, p, rc);
			return rc;
		}
		attached++;
	}
	if (!attached) {
		report(s, p, -ENODEV);
		return -ENODEV;
	}
	return 0;
}
