/* attach_kprobe.c - kernel functions: kprobes and kretprobes through the
 * kprobe PMU, fentry and fexit through BTF trampolines.  A kernel without
 * kprobes gets an error that says what it offers instead. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_internal.h"

void kernel__hint_alternatives(FILE *err, bool kprobe)
{
	fprintf(err, "ebpfq: hint: this kernel offers tracepoints (ebpfq -l 'tracepoint:*'), raw "
		     "tracepoints, uprobes and perf events%s\n",
		kprobe ? "; for a system call use kprobe:sys_NAME, which runs on "
			 "tracepoint:syscalls:sys_enter_NAME" : "");
}

int attach__kprobe(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	FILE *err = s->opts.err;
	int type = pmu__type("kprobe");
	if (!rt_kernel_has_kprobes() || type < 0) {
		fprintf(err, "ebpfq: cannot attach probe '%s': this kernel has no kprobes "
			     "(CONFIG_KPROBES is off)\n", p->probe_name);
		kernel__hint_alternatives(err, true);
		return -EOPNOTSUPP;
	}
	int rc = probe_pmu__attach(s, prog, "kprobe", type, p->attach == EQ_ATTACH_KRETPROBE, 0);
	if (rc < 0)
		fprintf(err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name,
			rc == -ENOENT || rc == -EINVAL ? "no such kernel function (or it cannot be probed)"
						       : strerror(-rc));
	return rc;
}

/* fentry/fexit: the program was loaded against the function's BTF id; the
 * link makes the kernel build the trampoline. */
int attach__fentry(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	int fd = bpf_link_create(s->prog_fds[prog], 0,
				 p->attach == EQ_ATTACH_FEXIT ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY, NULL);
	if (fd < 0) {
		int rc = -errno;
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, strerror(-rc));
		return rc;
	}
	return session__add_link(s, -1, fd);
}
