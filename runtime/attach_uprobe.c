/* attach_uprobe.c - uprobes, uretprobes and USDT probes through the uprobe
 * PMU: a perf event per probe naming the binary and the file offset, so no
 * entry is written to uprobe_events and closing the fd removes the probe.
 * A USDT semaphore is the kernel's reference counter (ref_ctr_offset): it
 * is raised in every process mapping the binary while the probe exists. */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>

#include "rt_internal.h"

int attach__uprobe(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	FILE *err = s->opts.err;
	int type = pmu__type("uprobe");
	if (type < 0) {
		fprintf(err, "ebpfq: cannot attach probe '%s': this kernel has no uprobes "
			     "(CONFIG_UPROBE_EVENTS is off)\n", p->probe_name);
		return -EOPNOTSUPP;
	}
	uint64_t config = 0;
	if (p->ref_ctr_offset) {
		int shift = pmu__format_bit("uprobe", "ref_ctr_offset");
		if (shift < 0) {
			fprintf(err, "ebpfq: cannot attach probe '%s': this kernel cannot raise USDT "
				     "semaphores (no ref_ctr_offset in the uprobe PMU)\n", p->probe_name);
			return -EOPNOTSUPP;
		}
		config = p->ref_ctr_offset << shift;
	}
	int rc = probe_pmu__attach(s, prog, "uprobe", type, p->attach == EQ_ATTACH_URETPROBE, config);
	if (rc < 0)
		fprintf(err, "ebpfq: cannot attach probe '%s' (%s, offset 0x%llx): %s\n", p->probe_name,
			p->target, (unsigned long long)p->target_offset,
			rc == -EINVAL ? "the kernel refused the offset" : strerror(-rc));
	return rc;
}
