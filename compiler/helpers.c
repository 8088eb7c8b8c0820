/* helpers.c - the helper table; ids are the kernel's BPF_FUNC_* numbers and
 * the argument kinds follow each helper's bpf_func_proto in the kernel
 * (kernel/bpf/helpers.c, kernel/trace/bpf_trace.c, kernel/bpf/ringbuf.c,
 * kernel/bpf/stackmap.c). */
#include "helpers.h"

#include <linux/bpf.h>
#include <stddef.h>

/* probe_read and friends: (void *dst, u32 size, const void *unsafe_ptr). */
#define PROBE_READ(fn) [BPF_FUNC_##fn] = {#fn, {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR, 0}
/* Helpers without arguments that return a number. */
#define NO_ARGS(fn) [BPF_FUNC_##fn] = {#fn, {HA_NONE}, HR_SCALAR, 0}

static const struct bpf_helper_info helpers[] = {
	[BPF_FUNC_map_lookup_elem] = {"map_lookup_elem", {HA_MAP, HA_KEY}, HR_MAP_VALUE_OR_NULL, 0},
	[BPF_FUNC_map_update_elem] = {"map_update_elem", {HA_MAP, HA_KEY, HA_VALUE, HA_ANY}, HR_SCALAR, 0},
	[BPF_FUNC_map_delete_elem] = {"map_delete_elem", {HA_MAP, HA_KEY}, HR_SCALAR, 0},
	[BPF_FUNC_map_lookup_percpu_elem] = {"map_lookup_percpu_elem", {HA_MAP, HA_KEY, HA_ANY},
		HR_MAP_VALUE_OR_NULL, 0},
	PROBE_READ(probe_read),
	PROBE_READ(probe_read_str),
	PROBE_READ(probe_read_user),
	PROBE_READ(probe_read_kernel),
	PROBE_READ(probe_read_user_str),
	PROBE_READ(probe_read_kernel_str),
	NO_ARGS(ktime_get_ns),
	NO_ARGS(ktime_get_boot_ns),
	NO_ARGS(jiffies64),
	NO_ARGS(get_prandom_u32),
	NO_ARGS(get_smp_processor_id),
	NO_ARGS(get_current_pid_tgid),
	NO_ARGS(get_current_uid_gid),
	NO_ARGS(get_current_task),
	NO_ARGS(get_current_cgroup_id),
	NO_ARGS(get_numa_node_id),
	[BPF_FUNC_get_current_comm] = {"get_current_comm", {HA_WRITE_NEXT, HA_SIZE}, HR_SCALAR, 0},
	[BPF_FUNC_get_ns_current_pid_tgid] = {"get_ns_current_pid_tgid",
		{HA_ANY, HA_ANY, HA_WRITE_NEXT, HA_SIZE}, HR_SCALAR, 0},
	[BPF_FUNC_get_stackid] = {"get_stackid", {HA_CTX, HA_MAP, HA_ANY}, HR_SCALAR,
		BPF_MAP_TYPE_STACK_TRACE},
	[BPF_FUNC_get_func_ip] = {"get_func_ip", {HA_CTX}, HR_SCALAR, 0},
	[BPF_FUNC_send_signal] = {"send_signal", {HA_ANY}, HR_SCALAR, 0},
	[BPF_FUNC_ringbuf_output] = {"ringbuf_output", {HA_MAP, HA_READ_NEXT, HA_SIZE, HA_ANY},
		HR_SCALAR, BPF_MAP_TYPE_RINGBUF},
	[BPF_FUNC_ringbuf_reserve] = {"ringbuf_reserve", {HA_MAP, HA_ALLOC_SIZE, HA_ANY},
		HR_RINGBUF_MEM_OR_NULL, BPF_MAP_TYPE_RINGBUF},
	[BPF_FUNC_ringbuf_submit] = {"ringbuf_submit", {HA_RINGBUF_MEM, HA_ANY}, HR_VOID, 0},
	[BPF_FUNC_for_each_map_elem] = {"for_each_map_elem", {HA_MAP, HA_FUNC, HA_CALLBACK_CTX, HA_ANY},
		HR_SCALAR, 0},
	[BPF_FUNC_tail_call] = {"tail_call", {HA_CTX, HA_MAP, HA_ANY}, HR_SCALAR, BPF_MAP_TYPE_PROG_ARRAY},
	[BPF_FUNC_ringbuf_discard] = {"ringbuf_discard", {HA_RINGBUF_MEM, HA_ANY}, HR_VOID, 0},
};

const struct bpf_helper_info *bpf_helper(int id)
{
	if (id < 0 || (size_t)id >= sizeof(helpers) / sizeof(helpers[0]) || !helpers[id].name)
		return NULL;
	return &helpers[id];
}
