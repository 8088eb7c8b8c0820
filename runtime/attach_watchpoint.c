/* attach_watchpoint.c - watchpoints: hardware breakpoints, perf events of
 * type PERF_TYPE_BREAKPOINT whose program runs when the watched bytes are
 * accessed.
 *
 * In a process (-p, -c) a breakpoint is a per-task event: one for each of
 * its threads, inherited by the threads it makes later.  Without one it is
 * set on every CPU, for every task: a kernel address.  A watchpoint on a
 * function's argument is set when the function is called, from the event
 * its setup uprobe sends (watch__event), while the process waits stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static void report(struct eq_session *s, const struct eq_prog *p, uint64_t addr, int rc)
{
	const char *why = strerror(-rc);
	if (rc == -ENOSPC)
		why = "every debug register is in use (a CPU has a few -- x86-64 has 4 -- and a "
		      "task's watchpoints share them)";
	else if (rc == -EINVAL && p->watch.type == HW_BREAKPOINT_X && addr >> 63)
		why = rt_kernel_has_kprobes()
			? "the kernel lets no execution watchpoint be set where a kprobe could not go"
			: "the kernel lets no execution watchpoint be set on its own code when it has "
			  "no kprobes, as this one";
	else if (rc == -EINVAL)
		why = "the kernel refused to watch it (an address it keeps unwatched, or a "
		      "breakpoint the CPU cannot make)";
	else if (rc == -ESRCH)
		why = "the process is gone";
	else if (rc == -ENODEV || rc == -ENOENT || rc == -EOPNOTSUPP)
		why = "this machine has no hardware breakpoints";
	if (p->watch.addr) /* the probe names it */
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': %s\n", p->probe_name, why);
	else
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s' at 0x%llx: %s\n", p->probe_name,
			(unsigned long long)addr, why);
}

/* One breakpoint event per thread of the process, or per CPU. */
static int watch_open(struct eq_session *s, int prog, uint64_t addr, pid_t pid)
{
	const struct eq_prog *p = &s->img->progs[prog];
	struct perf_event_attr attr = {.type = PERF_TYPE_BREAKPOINT, .bp_type = p->watch.type,
				       .bp_addr = addr, .bp_len = p->watch.len, .sample_period = 1,
				       .wakeup_events = 1, .inherit = p->watch.per_process};
	if (!p->watch.per_process) {
		int attached = 0;
		for (int cpu = 0; cpu < s->ncpus; cpu++) {
			int pfd = perf_event__open(&attr, -1, cpu);
			if (pfd == -ENODEV)
				continue; /* a possible CPU that is offline */
			int rc = pfd < 0 ? pfd : perf_event__attach_prog(s, pfd, prog);
			if (rc < 0)
				return rc;
			attached++;
		}
		return attached ? 0 : -ENODEV;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *tasks = opendir(path);
	if (!tasks)
		return -ESRCH;
	int rc = 0;
	struct dirent *t;
	while (!rc && (t = readdir(tasks))) {
		int tid = atoi(t->d_name);
		if (tid <= 0)
			continue;
		int pfd = perf_event__open(&attr, tid, -1);
		if (pfd == -ESRCH)
			continue; /* a thread that ended meanwhile */
		rc = pfd < 0 ? pfd : perf_event__attach_prog(s, pfd, prog);
	}
	closedir(tasks);
	return rc;
}

int attach__watchpoint(struct eq_session *s, int prog)
{
	const struct eq_prog *p = &s->img->progs[prog];
	if (!p->watch.addr)
		return 0; /* set when its function is called */
	if (p->watch.per_process && s->opts.target_pid <= 0) {
		fprintf(s->opts.err, "ebpfq: cannot attach probe '%s': no process to set it in (-p, -c)\n",
			p->probe_name);
		return -ESRCH;
	}
	int rc = watch_open(s, prog, p->watch.addr, s->opts.target_pid);
	if (rc < 0)
		report(s, p, p->watch.addr, rc);
	return rc;
}

/* Has program prog a watchpoint on addr already?  A function called again
 * with the same address keeps the one it has: a second would count every
 * access twice. */
static bool watching(const struct eq_session *s, int prog, uint64_t addr)
{
	for (int i = 0; i < s->nwatches; i++)
		if (s->watches[i].prog == prog && s->watches[i].addr == addr)
			return true;
	return false;
}

static void note_watch(struct eq_session *s, int prog, uint64_t addr)
{
	if (s->nwatches == s->watches_cap) {
		int cap = s->watches_cap ? 2 * s->watches_cap : 8;
		struct rt_watch *w = realloc(s->watches, sizeof(*w) * (size_t)cap);
		if (!w)
			return;
		s->watches = w;
		s->watches_cap = cap;
	}
	s->watches[s->nwatches++] = (struct rt_watch){prog, addr};
}

void watch__event(struct eq_session *s, const struct eq_output *o, const void *data)
{
	const unsigned char *rec = data;
	uint64_t tgid, addr;
	memcpy(&tgid, rec + 8, sizeof(tgid));
	/* after exit() or once detaching, nothing new is set; a stopped process
	 * is still continued */
	for (int i = 0; i < o->nprogs && !s->exit_requested && !s->detached; i++) {
		int prog = (int)o->progs[i];
		memcpy(&addr, rec + 16 + 8 * i, sizeof(addr));
		if (watching(s, prog, addr))
			continue;
		int rc = watch_open(s, prog, addr, (pid_t)tgid);
		if (rc < 0) { /* the run goes on, as bpftrace's: other calls may fare better */
			report(s, &s->img->progs[prog], addr, rc);
			continue;
		}
		note_watch(s, prog, addr);
		if (s->opts.verbose)
			fprintf(s->opts.err, "ebpfq: probe '%s': watching 0x%llx in process %d\n",
				s->img->progs[prog].probe_name, (unsigned long long)addr, (int)tgid);
	}
	if (o->stopped)
		kill((pid_t)tgid, SIGCONT);
}
