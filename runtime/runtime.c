/* runtime.c - one run of an image: load, attach, poll, finish, detach.
 *
 * Everything the kernel holds for us is a file descriptor in the session,
 * so detaching is closing them: whatever way ebpfq ends (even SIGKILL), the
 * kernel drops the programs, links and perf events with the last fd.
 */
#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_internal.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

int rt_possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();
	return n > 0 ? n : 1;
}

int rt_max_stack_frames(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_stack", "re");
	int n = 0;
	if (f && fscanf(f, "%d", &n) != 1)
		n = 0;
	if (f)
		fclose(f);
	return n > 0 ? n : 0;
}

int rt_check_privileges(FILE *err)
{
	if (geteuid() == 0)
		return 0;
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {{0}};
	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (data[CAP_BPF / 32].effective >> (CAP_BPF % 32) & 1) &&
	    (data[CAP_PERFMON / 32].effective >> (CAP_PERFMON % 32) & 1))
		return 0;
	fputs("ebpfq: need root (or CAP_BPF and CAP_PERFMON) to load BPF programs\n", err);
	return -EPERM;
}

int rt_session_load(const struct eq_image *img, const struct eq_run_opts *opts,
		    struct eq_session **out)
{
	struct eq_session *s = calloc(1, sizeof(*s));
	*out = s;
	if (!s)
		return -ENOMEM;
	s->img = img;
	s->opts = *opts;
	s->btf_fd = -1;
	s->map_fds = malloc(sizeof(int) * ((size_t)img->nmaps + 1));
	s->prog_fds = malloc(sizeof(int) * ((size_t)img->nprogs + 1));
	s->prog_load = calloc((size_t)img->nprogs + 1, 1);
	s->zeroed = calloc((size_t)img->nmaps + 1, sizeof(bool));
	s->uprobe_multi = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (!s->map_fds || !s->prog_fds || !s->prog_load || !s->zeroed)
		return -ENOMEM;
	for (int i = 0; i < img->nmaps; i++)
		s->map_fds[i] = -1;
	for (int i = 0; i < img->nprogs; i++)
		s->prog_fds[i] = -1;
	if (!opts->verbose)
		libbpf_set_print(silent);
	s->ncpus = rt_possible_cpus();
	if (!(s->sym = symbolizer__new()))
		return -ENOMEM;
	int rc = session__create_maps(s);
	if (!rc)
		rc = session__load_progs(s);
	return rc;
}

static bool is_special(const struct eq_prog *p)
{
	return p->attach == EQ_ATTACH_BEGIN || p->attach == EQ_ATTACH_END;
}

int session__add_link(struct eq_session *s, int perf_fd, int link_fd)
{
	if (s->nlinks == s->links_cap) {
		int cap = s->links_cap ? 2 * s->links_cap : 16;
		struct rt_link *links = realloc(s->links, sizeof(*links) * (size_t)cap);
		if (!links) {
			if (link_fd >= 0)
				close(link_fd);
			if (perf_fd >= 0)
				close(perf_fd);
			return -ENOMEM;
		}
		s->links = links;
		s->links_cap = cap;
	}
	s->links[s->nlinks++] = (struct rt_link){perf_fd, link_fd};
	return 0;
}

/* A write error (a full disk, /dev/full, a closed pipe) is kept, not
 * lost: the run goes on and its end reports it (rt_session_finish). */
void session__flush(struct eq_session *s)
{
	if (fflush(s->opts.out) == EOF && !s->out_errno)
		s->out_errno = errno ? errno : EIO;
}

/* How each kind of program attaches. */
static int attach_prog(struct eq_session *s, int prog)
{
	switch (s->img->progs[prog].attach) {
	case EQ_ATTACH_TRACEPOINT: return attach__tracepoint(s, prog);
	case EQ_ATTACH_RAW_TRACEPOINT:
	case EQ_ATTACH_SYSCALL_DISPATCH: return attach__raw_tracepoint(s, prog);
	case EQ_ATTACH_SYSCALL: return attach__syscall(s, prog);
	case EQ_ATTACH_KPROBE:
	case EQ_ATTACH_KRETPROBE: return attach__kprobe(s, prog);
	case EQ_ATTACH_FENTRY:
	case EQ_ATTACH_FEXIT: return attach__fentry(s, prog);
	case EQ_ATTACH_UPROBE:
	case EQ_ATTACH_URETPROBE:
	case EQ_ATTACH_WATCH_SETUP: return attach__uprobe(s, prog);
	case EQ_ATTACH_PERF_EVENT: return attach__perf_event(s, prog);
	case EQ_ATTACH_WATCHPOINT: return attach__watchpoint(s, prog);
	case EQ_ATTACH_BEGIN:
	case EQ_ATTACH_END: break;
	}
	return 0;
}

int rt_session_attach(struct eq_session *s)
{
	const struct eq_image *img = s->img;
	/* --export listens before anything is attached: a port in use
	 * leaves nothing behind */
	int rc = s->opts.export_addr ? export__listen(s) : 0;
	if (!rc)
		rc = events__open(s);
	for (int i = 0; i < img->nprogs && !rc; i++) {
		const struct eq_prog *p = &img->progs[i];
		if (is_special(p))
			continue;
		rc = attach_prog(s, i);
		if (rc && s->opts.verbose)
			fprintf(s->opts.err, "ebpfq: detaching the %d probe%s already attached\n",
				s->nlinks, s->nlinks == 1 ? "" : "s");
	}
	session__free_btf(s);
	if (rc) {
		session__detach(s);
		/* a process a watchpoint's setup stopped meanwhile (-p) is continued;
		 * what the probes said is not printed */
		s->exit_requested = s->detached = true;
		events__drain(s);
		return rc;
	}
	if (!s->opts.quiet) {
		/* the script's: a syscall dispatcher is not one, nor the uprobe that
		 * sets up watchpoints on a function's arguments (which count, though
		 * they are set later, as bpftrace counts them) */
		int probes = 0;
		for (int i = 0; i < img->nprogs; i++)
			probes += img->progs[i].attach != EQ_ATTACH_SYSCALL_DISPATCH &&
				  img->progs[i].attach != EQ_ATTACH_WATCH_SETUP;
		if (s->opts.format == EQ_FORMAT_JSON)
			json__count(s->opts.out, "attached_probes", "probes", (uint64_t)probes);
		else
			fprintf(s->opts.out, "Attaching %d probe%s...\n", probes, probes == 1 ? "" : "s");
		session__flush(s);
	}
	s->began = true;
	if (image__has_kernel_symbols(img))
		symbolizer__prefetch_kernel(s->sym);
	for (int i = 0; i < img->nprogs; i++)
		if (img->progs[i].attach == EQ_ATTACH_BEGIN && special__run(s, i))
			return -EINVAL;
	return export__serve(s);
}

/* Has the -c child exited?  It is reaped here. */
static bool child_done(pid_t child)
{
	if (child <= 0)
		return false;
	int status;
	pid_t r = waitpid(child, &status, WNOHANG);
	return r == child || (r < 0 && errno == ECHILD);
}

/* Wait up to timeout_ms for events, or for the -c child to exit (its pidfd
 * turns readable), and handle the events that came.  Waiting on both keeps
 * a short command's end from waiting out the timeout: a child that exits
 * between child_done() and the wait would otherwise not wake it. */
static int wait_events(struct eq_session *s, int pidfd, int timeout_ms)
{
	if (pidfd < 0 && s->rb)
		return ring_buffer__poll(s->rb, timeout_ms);
	if (pidfd < 0) {
		usleep((useconds_t)timeout_ms * 1000);
		return 0;
	}
	struct pollfd fds[2] = {{.fd = pidfd, .events = POLLIN},
				{.fd = s->rb ? ring_buffer__epoll_fd(s->rb) : -1, .events = POLLIN}};
	if (poll(fds, 2, timeout_ms) < 0)
		return -errno;
	return s->rb ? ring_buffer__consume(s->rb) : 0;
}

int rt_session_run(struct eq_session *s, volatile int *stop, pid_t child)
{
	events__drain(s); /* what BEGIN said */
	int pidfd = child > 0 ? (int)syscall(SYS_pidfd_open, child, 0) : -1;
	while (!*stop && !s->exit_requested) {
		if (child_done(child))
			break;
		int n = wait_events(s, pidfd, 100);
		if (n < 0 && n != -EINTR)
			break;
		session__flush(s);
	}
	if (pidfd >= 0)
		close(pidfd);
	events__drain(s);
	return 0;
}

/* The most keys a user map of the image can hold, for the message about
 * refused map updates. */
static uint32_t max_map_keys(const struct eq_image *img)
{
	uint32_t most = 0;
	for (int i = 0; i < img->nmaps; i++)
		if (img->maps[i].role == EQ_MAP_USER && img->maps[i].max_entries > most)
			most = img->maps[i].max_entries;
	return most;
}

int rt_session_finish(struct eq_session *s, bool run_end)
{
	if (!s)
		return 0;
	const struct eq_image *img = s->img;
	export__stop(s); /* the last scrape ends before the maps are printed */
	s->detached = true;
	/* nothing new arrives while the maps are printed: when session__detach
	 * returns, no program of ours runs any more (detach.c), so a watchpoint
	 * setup's stop (SIGSTOP) always has its event in the ring buffer,
	 * drained next */
	session__detach(s);
	events__drain(s); /* what came before END, up to an exit() */
	lines__flush(s);
	s->in_end = true;
	if (run_end && s->began)
		for (int i = 0; i < img->nprogs; i++)
			if (img->progs[i].attach == EQ_ATTACH_END)
				special__run(s, i);
	events__drain(s);
	lines__flush(s);
	if (run_end && s->began && s->opts.format != EQ_FORMAT_JSON)
		fputs("\n\n", s->opts.out); /* bpftrace's two newlines before the maps */
	if (run_end && s->began)
		maps__print_all(s);
	session__flush(s); /* the maps first, then what went wrong, even on one terminal */
	if (img->drops_map >= 0 && s->map_fds[img->drops_map] >= 0) {
		uint32_t key = 0;
		uint64_t value[EQ_DATA_WORDS] = {0};
		bool read = !bpf_map_lookup_elem(s->map_fds[img->drops_map], &key, value);
		if (read && value[EQ_DATA_LOST] && s->opts.format == EQ_FORMAT_JSON)
			json__count(s->opts.out, "lost_events", "events", value[EQ_DATA_LOST]);
		else if (read && value[EQ_DATA_LOST])
			fprintf(s->opts.err, "ebpfq: %llu event%s lost: the ring buffer was full\n",
				(unsigned long long)value[EQ_DATA_LOST], value[EQ_DATA_LOST] == 1 ? "" : "s");
		if (read && value[EQ_DATA_MAP_FULL])
			fprintf(s->opts.err, "ebpfq: %llu map update%s failed: a map was full "
				"(a map holds at most %u keys)\n", (unsigned long long)value[EQ_DATA_MAP_FULL],
				value[EQ_DATA_MAP_FULL] == 1 ? "" : "s", max_map_keys(img));
		if (read && value[EQ_DATA_STACK_LOST])
			fprintf(s->opts.err, "ebpfq: %llu stack%s not recorded: other stacks held %s bucket "
				"in the stack maps (or they were full); %s as an empty stack\n",
				(unsigned long long)value[EQ_DATA_STACK_LOST],
				value[EQ_DATA_STACK_LOST] == 1 ? " was" : "s were",
				value[EQ_DATA_STACK_LOST] == 1 ? "its" : "their",
				value[EQ_DATA_STACK_LOST] == 1 ? "it prints" : "they print");
		if (read && value[EQ_DATA_LOOP_BOUND])
			fprintf(s->opts.err, "ebpfq: %llu loop%s stopped after %u iterations, the most a "
				"loop runs (the kernel must see every loop end)\n",
				(unsigned long long)value[EQ_DATA_LOOP_BOUND], value[EQ_DATA_LOOP_BOUND] == 1 ? "" : "s", img->loop_bound);
	}
	helper_failures__report(s);
	if (s->malformed && s->opts.verbose)
		fprintf(s->opts.err, "ebpfq: %ld malformed event records ignored\n", s->malformed);
	session__flush(s);
	if (ferror(s->opts.out) && !s->out_errno)
		s->out_errno = EIO; /* a write of a full buffer failed between flushes */
	return -s->out_errno;
}

void rt_session_free(struct eq_session *s)
{
	if (!s)
		return;
	export__stop(s);
	session__detach(s);
	ring_buffer__free(s->rb);
	for (int i = 0; s->prog_fds && i < s->img->nprogs; i++)
		if (s->prog_fds[i] >= 0)
			close(s->prog_fds[i]);
	for (int i = 0; s->map_fds && i < s->img->nmaps; i++)
		if (s->map_fds[i] >= 0)
			close(s->map_fds[i]);
	if (s->btf_fd >= 0)
		close(s->btf_fd);
	free(s->map_fds);
	free(s->prog_fds);
	free(s->prog_load);
	session__free_btf(s);
	free(s->zeroed);
	free(s->helper_failures);
	lines__free(s);
	render__free(s);
	free(s->links);
	symbolizer__free(s->sym);
	free(s->watches);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
