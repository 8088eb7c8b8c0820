/* info.c - `ebpfq --info`: what this kernel and this build support, found
 * by asking the kernel (loading a tiny program, creating a map, opening a
 * perf event) rather than by version numbers, which distributions' kernels
 * make meaningless. */
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "rt_internal.h"

static void row(FILE *out, const char *name, bool yes, const char *why_not)
{
	fprintf(out, "  %s: %s", name, yes ? "yes" : "no");
	if (!yes && why_not && *why_not)
		fprintf(out, " (%s)", why_not);
	fputc('\n', out);
}

/* The helpers the compiler may call, as the kernel knows them for tracing
 * programs. */
static void helpers(FILE *out)
{
	static const struct {
		const char *name;
		enum bpf_func_id id;
	} list[] = {
		{"probe_read_kernel", BPF_FUNC_probe_read_kernel},
		{"probe_read_user", BPF_FUNC_probe_read_user},
		{"probe_read_kernel_str", BPF_FUNC_probe_read_kernel_str},
		{"probe_read_user_str", BPF_FUNC_probe_read_user_str},
		{"get_current_cgroup_id", BPF_FUNC_get_current_cgroup_id},
		{"get_numa_node_id", BPF_FUNC_get_numa_node_id},
		{"get_stackid", BPF_FUNC_get_stackid},
		{"get_stack", BPF_FUNC_get_stack},
		{"send_signal", BPF_FUNC_send_signal},
		{"ringbuf_output", BPF_FUNC_ringbuf_output},
		{"for_each_map_elem", BPF_FUNC_for_each_map_elem},
		{"map_lookup_percpu_elem", BPF_FUNC_map_lookup_percpu_elem},
		{"ktime_get_boot_ns", BPF_FUNC_ktime_get_boot_ns},
	};
	fputs("Kernel helpers (for kprobe, uprobe and tracepoint programs)\n", out);
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		row(out, list[i].name, libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, list[i].id, NULL) > 0,
		    NULL);
}

static void map_types(FILE *out)
{
	static const struct {
		const char *name;
		enum bpf_map_type type;
	} list[] = {
		{"hash", BPF_MAP_TYPE_HASH},
		{"percpu hash", BPF_MAP_TYPE_PERCPU_HASH},
		{"array", BPF_MAP_TYPE_ARRAY},
		{"percpu array", BPF_MAP_TYPE_PERCPU_ARRAY},
		{"ring buffer", BPF_MAP_TYPE_RINGBUF},
		{"stack trace", BPF_MAP_TYPE_STACK_TRACE},
		{"prog array", BPF_MAP_TYPE_PROG_ARRAY},
	};
	fputs("Map types\n", out);
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		row(out, list[i].name, libbpf_probe_bpf_map_type(list[i].type, NULL) > 0, NULL);
}

/* Load `insns` as a program of this type; 0 or a negative errno. */
static int try_load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t n,
		    const struct bpf_prog_load_opts *opts)
{
	int fd = bpf_prog_load(type, NULL, "GPL", insns, n, opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* A loop the verifier must see end (Linux 5.3's bounded loops). */
static bool bounded_loops(void)
{
	const struct bpf_insn loop[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 0, .imm = 1},
		{.code = BPF_JMP | BPF_JLT | BPF_K, .dst_reg = 0, .off = -2, .imm = 4},
		{.code = BPF_JMP | BPF_EXIT},
	};
	return try_load(BPF_PROG_TYPE_KPROBE, loop, 4, NULL) == 0;
}

/* fentry needs BTF trampolines, which some kernels build without and some
 * security policies refuse: load one on a function every kernel has. */
static int fentry_load(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -ENOENT;
	int id = btf__find_by_name_kind(vmlinux, "vfs_read", BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id < 0)
		return -ENOENT;
	const struct bpf_insn ret0[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (uint32_t)id);
	return try_load(BPF_PROG_TYPE_TRACING, ret0, 2, &opts);
}

/* A counting perf event can be opened, on this process (0 or -errno). */
static int perf_opens(struct perf_event_attr attr)
{
	attr.disabled = 1;
	int fd = perf_event__open(&attr, 0, -1);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static void probe_kinds(FILE *out)
{
	char why[128];
	fputs("Probe kinds\n", out);
	row(out, "kprobe, kretprobe", rt_kernel_has_kprobes(),
	    "no kprobe PMU: kprobe:sys_NAME runs on the syscall tracepoints");
	row(out, "uprobe, uretprobe, usdt", access("/sys/bus/event_source/devices/uprobe/type", F_OK) == 0,
	    "no uprobe PMU");
	const char *tracefs = rt_tracefs_dir();
	row(out, "tracepoint", tracefs != NULL, "no tracefs");
	row(out, "rawtracepoint", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) > 0, NULL);
	int rc = fentry_load();
	snprintf(why, sizeof(why), "loading one: %s", strerror(-rc));
	row(out, "fentry, fexit", rc == 0, why);
	rc = perf_opens((struct perf_event_attr){.type = PERF_TYPE_SOFTWARE,
						 .config = PERF_COUNT_SW_CPU_CLOCK});
	snprintf(why, sizeof(why), "%s", strerror(-rc));
	row(out, "interval, profile, software", rc == 0, why);
	rc = perf_opens((struct perf_event_attr){.type = PERF_TYPE_HARDWARE,
						 .config = PERF_COUNT_HW_CPU_CYCLES});
	snprintf(why, sizeof(why), "no PMU counters: %s", strerror(-rc));
	row(out, "hardware", rc == 0, why);
	static int watched; /* a write breakpoint on it, never written */
	rc = perf_opens((struct perf_event_attr){.type = PERF_TYPE_BREAKPOINT,
						 .bp_type = HW_BREAKPOINT_W,
						 .bp_addr = (uint64_t)(uintptr_t)&watched,
						 .bp_len = HW_BREAKPOINT_LEN_4});
	snprintf(why, sizeof(why), "no hardware breakpoints: %s", strerror(-rc));
	row(out, "watchpoint, asyncwatchpoint", rc == 0, why);
}

int rt_print_info(FILE *out, const char *version, const char *backends)
{
	struct utsname u;
	fputs("System\n", out);
	if (!uname(&u)) {
		fprintf(out, "  OS: %s %s %s\n", u.sysname, u.release, u.version);
		fprintf(out, "  Arch: %s\n", u.machine);
	}
	fprintf(out, "  CPUs: %d possible\n", rt_possible_cpus());
	fputs("\nBuild\n", out);
	fprintf(out, "  version: %s\n", version);
	fprintf(out, "  back ends: %s\n", backends);
	fprintf(out, "  libbpf: %u.%u\n", libbpf_major_version(), libbpf_minor_version());
	export__info(out);
	fputs("\nKernel features\n", out);
	row(out, "BTF", access("/sys/kernel/btf/vmlinux", R_OK) == 0, "no /sys/kernel/btf/vmlinux");
	row(out, "bounded loops", bounded_loops(), "while loops cannot load");
	fputc('\n', out);
	helpers(out);
	fputc('\n', out);
	map_types(out);
	fputc('\n', out);
	probe_kinds(out);
	return 0;
}
