/* attach_uprobe.c - uprobes, uretprobes and USDT probes.
 *
 * On Linux 6.6 and later, a uprobe_multi link: the binary's path and the
 * file offset, given to BPF_LINK_CREATE.  Closing it waits for one RCU
 * tasks-trace grace period (uprobe_unregister_sync), and links closed at
 * once share it (detach.c).  Otherwise, or if the kernel refuses the link,
 * through the uprobe PMU: a perf event per probe naming the binary and the
 * offset, whose close waits for two grace periods under the kernel's
 * event_mutex, one probe after the other.  Either way no entry is written to
 * uprobe_events and closing the fd removes the probe.
 * A USDT semaphore is the kernel's reference counter (ref_ctr_offset): it
 * is raised in every process mapping the binary while the probe exists. */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_internal.h"

/* BPF_LINK_CREATE's uprobe_multi arguments (Linux 6.6,
 * include/uapi/linux/bpf.h), which Debian 12's 6.1 headers lack: the
 * link_create member of union bpf_attr with its uprobe_multi part. */
struct uprobe_multi_link_attr {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, multi_flags, pid;
};
enum { RT_BPF_F_UPROBE_MULTI_RETURN = 1 };

int uprobe_multi__link(int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *ref_ctr_offsets, uint32_t cnt, bool ret)
{
	union {
		union bpf_attr attr;
		struct uprobe_multi_link_attr link;
	} a;
	_Static_assert(sizeof(a.link) <= sizeof(a.attr), "union bpf_attr holds link_create");
	memset(&a, 0, sizeof(a));
	a.link = (struct uprobe_multi_link_attr){
		.prog_fd = (uint32_t)prog_fd, .attach_type = RT_BPF_TRACE_UPROBE_MULTI,
		.path = (uint64_t)(uintptr_t)path, .offsets = (uint64_t)(uintptr_t)offsets,
		.ref_ctr_offsets = (uint64_t)(uintptr_t)ref_ctr_offsets, .cnt = cnt,
		.multi_flags = ret ? RT_BPF_F_UPROBE_MULTI_RETURN : 0,
	};
	long fd = syscall(SYS_bpf, BPF_LINK_CREATE, &a.attr, sizeof(a.attr));
	return fd < 0 ? -errno : (int)fd;
}

/* A uprobe_multi link for one program; if the kernel refuses it, the
 * program is loaded again for a perf event (the caller's path). */
static int attach_multi(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	uint64_t offset = p->target_offset, ref_ctr = p->ref_ctr_offset;
	int fd = uprobe_multi__link(s->prog_fds[prog], p->target, &offset, ref_ctr ? &ref_ctr : NULL, 1,
				    p->attach == EQ_ATTACH_URETPROBE);
	if (fd >= 0)
		return session__add_link(s, -1, fd);
	if (s->opts.verbose)
		fprintf(s->opts.err, "ebpfq: probe '%s': no uprobe_multi link (%s); through a perf event\n",
			p->probe_name, strerror(-fd));
	return session__reload_prog(s, prog);
}

int attach__uprobe(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	FILE *err = s->opts.err;
	if (s->prog_load[prog] == RT_LOAD_UPROBE_MULTI) {
		int rc = attach_multi(s, prog);
		if (rc < 0 || s->prog_load[prog] == RT_LOAD_UPROBE_MULTI)
			return rc;
	}
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
