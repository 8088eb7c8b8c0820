/* detach.c - closing the attachments, at the end of a run.
 *
 * Some closes return at once (a raw tracepoint's link: the kernel frees it
 * after a grace period in the background), others wait for the kernel:
 * releasing a uprobe_multi link waits for an RCU tasks-trace grace period
 * (uprobe_unregister_sync), a perf event's BPF link for the programs running
 * on it, a tracepoint's or uprobe's perf event for grace periods under the
 * kernel's event_mutex.  Waits made from different threads overlap (the
 * kernel ends one grace period for every caller waiting on it), so the
 * closes run on threads: 10 uprobe_multi links close in 32 ms here, where
 * one after the other they took 420.  Perf events still go one at a time:
 * event_mutex is held across their wait.
 *
 * The last close of a file runs its release in the closing thread, before
 * close() returns to it (the task work of fput), so once every thread has
 * returned, every probe is gone.  A raw tracepoint's release does not wait
 * for the programs running on it, though: a CPU may be in one, its event
 * not yet in the ring buffer.  Raw tracepoints run their programs inside
 * an RCU read-side section, so one RCU grace period after the last close
 * (membarrier's MEMBARRIER_CMD_GLOBAL waits for one: about 10 ms here, once
 * for them all) no program of ours runs any more, and the events drained
 * after this are all there will be.
 */
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_internal.h"

enum { DETACH_THREADS_MAX = 128, DETACH_STACK = 64 * 1024 };

struct closer {
	pthread_t thread;
	struct rt_link *links;
	int first, n, step;
};

static void close_link(struct rt_link *l)
{
	if (l->link_fd >= 0)
		close(l->link_fd);
	if (l->perf_fd >= 0)
		close(l->perf_fd);
	l->link_fd = l->perf_fd = -1;
}

static void *close_every(void *arg)
{
	struct closer *c = arg;
	for (int i = c->first; i < c->n; i += c->step)
		close_link(&c->links[i]);
	return NULL;
}

static void close_all(struct rt_link *links, int n)
{
	int nthreads = n < DETACH_THREADS_MAX ? n : DETACH_THREADS_MAX;
	struct closer closers[DETACH_THREADS_MAX];
	pthread_attr_t attr;
	int started = 0;
	if (nthreads > 1 && !pthread_attr_init(&attr)) {
		pthread_attr_setstacksize(&attr, DETACH_STACK);
		for (; started < nthreads; started++) {
			closers[started] = (struct closer){.links = links, .first = started, .n = n,
							   .step = nthreads};
			if (pthread_create(&closers[started].thread, &attr, close_every, &closers[started]))
				break;
		}
		pthread_attr_destroy(&attr);
	}
	/* what no thread took (only one link, or threads failed to start) */
	for (int t = started; t < nthreads; t++) {
		struct closer rest = {.links = links, .first = t, .n = n, .step = nthreads};
		close_every(&rest);
	}
	for (int t = 0; t < started; t++)
		pthread_join(closers[t].thread, NULL);
}

/* Does a link of the session run its program on a raw tracepoint (whose
 * close does not wait for the program)? */
static bool has_raw_tracepoints(const struct eq_session *s)
{
	for (int i = 0; i < s->img->nprogs; i++) {
		enum eq_attach_kind k = s->img->progs[i].attach;
		if (s->prog_fds[i] >= 0 && (s->prog_load[i] == RT_LOAD_RAW_TP || k == EQ_ATTACH_RAW_TRACEPOINT ||
					    k == EQ_ATTACH_SYSCALL_DISPATCH))
			return true;
	}
	return false;
}

void session__detach(struct eq_session *s)
{
	if (!s->nlinks)
		return;
	close_all(s->links, s->nlinks);
	s->nlinks = 0;
	if (has_raw_tracepoints(s))
		syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}
