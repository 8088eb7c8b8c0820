/* attach_special.c - BEGIN and END: raw-tracepoint programs that ebpfq runs
 * itself, once, with BPF_PROG_TEST_RUN. */
#include <errno.h>
#include <string.h>

#include "rt_internal.h"

int special__run(struct eq_session *s, int prog)
{
	uint64_t args[1] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	if (bpf_prog_test_run_opts(s->prog_fds[prog], &opts)) {
		fprintf(s->opts.err, "ebpfq: cannot run %s: %s\n", s->img->progs[prog].probe_name,
			strerror(errno));
		return -errno;
	}
	return 0;
}
