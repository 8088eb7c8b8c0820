/* bpf_sys.c - the bpf() commands that build a session, made directly.
 *
 * libbpf's bpf_map_create(), bpf_btf_load() and bpf_prog_load() first ask
 * the kernel, with two throw-away program loads, whether it charges BPF
 * memory to cgroups (if not, they raise RLIMIT_MEMLOCK) and whether it takes
 * object names.  Those two loads are a quarter of the kernel time of a
 * `BEGIN { exit(); }` run (bench/startup.sh), and ebpfq needs neither answer:
 * it raises RLIMIT_MEMLOCK itself when a map is refused for it (kernels
 * before 5.11; later ones charge the cgroup); and every kernel with
 * the ring buffer ebpfq needs (5.8) takes object names (4.15).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_internal.h"

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	/* a file descriptor or -1 and errno, as libbpf's calls answer */
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Kernels before 5.11 charge BPF maps and programs to RLIMIT_MEMLOCK, and
 * refuse them with EPERM past it: raise the limit as far as allowed. */
static bool raised_memlock(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_MEMLOCK, &limit) || limit.rlim_cur == limit.rlim_max)
		return false;
	limit.rlim_cur = limit.rlim_max;
	return setrlimit(RLIMIT_MEMLOCK, &limit) == 0;
}

int rt_map_create(const struct rt_map_attrs *m)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = m->type;
	attr.key_size = m->key_size;
	attr.value_size = m->value_size;
	attr.max_entries = m->max_entries;
	attr.map_flags = m->flags;
	if (m->name)
		strncpy(attr.map_name, m->name, sizeof(attr.map_name) - 1);
	int fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0 && errno == EPERM && raised_memlock())
		fd = sys_bpf(BPF_MAP_CREATE, &attr);
	return fd;
}

int rt_btf_load(const void *data, uint32_t size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.btf = (uint64_t)(uintptr_t)data;
	attr.btf_size = size;
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

int rt_prog_load(const struct rt_prog_attrs *p)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = p->type;
	attr.expected_attach_type = p->expected_attach_type;
	attr.attach_btf_id = p->attach_btf_id;
	if (p->name)
		strncpy(attr.prog_name, p->name, sizeof(attr.prog_name) - 1);
	attr.insns = (uint64_t)(uintptr_t)p->insns;
	attr.insn_cnt = p->ninsns;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	if (p->btf_fd >= 0) {
		attr.prog_btf_fd = (uint32_t)p->btf_fd;
		attr.func_info = (uint64_t)(uintptr_t)p->func_info;
		attr.func_info_rec_size = sizeof(*p->func_info);
		attr.func_info_cnt = p->nfunc_info;
		attr.line_info = (uint64_t)(uintptr_t)p->line_info;
		attr.line_info_rec_size = sizeof(*p->line_info);
		attr.line_info_cnt = p->nline_info;
		if (p->ncore_relos) {
			attr.core_relos = (uint64_t)(uintptr_t)p->core_relos;
			attr.core_relo_rec_size = sizeof(*p->core_relos);
			attr.core_relo_cnt = p->ncore_relos;
		}
	}
	if (p->log && p->log_size) {
		attr.log_level = 1;
		attr.log_buf = (uint64_t)(uintptr_t)p->log;
		attr.log_size = p->log_size;
	}
	/* the kernel answers EAGAIN when a load races with a BTF or module
	 * change; libbpf tries five times, so do we */
	int fd = -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}
