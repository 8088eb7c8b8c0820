/* helpers.c - the helper table; ids are the kernel's BPF_FUNC_* numbers. */
#include "helpers.h"

#include <linux/bpf.h>
#include <stddef.h>

static const struct bpf_helper_info helpers[] = {
	[BPF_FUNC_map_lookup_elem] = {"map_lookup_elem", {HA_MAP, HA_KEY}, HR_MAP_VALUE_OR_NULL},
	[BPF_FUNC_map_update_elem] = {"map_update_elem", {HA_MAP, HA_KEY, HA_VALUE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_map_delete_elem] = {"map_delete_elem", {HA_MAP, HA_KEY}, HR_SCALAR},
	[BPF_FUNC_probe_read] = {"probe_read", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_ktime_get_ns] = {"ktime_get_ns", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_get_prandom_u32] = {"get_prandom_u32", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_get_smp_processor_id] = {"get_smp_processor_id", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_get_current_pid_tgid] = {"get_current_pid_tgid", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_get_current_uid_gid] = {"get_current_uid_gid", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_get_current_comm] = {"get_current_comm", {HA_WRITE_NEXT, HA_SIZE}, HR_SCALAR},
	[BPF_FUNC_get_stackid] = {"get_stackid", {HA_CTX, HA_MAP, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_get_current_task] = {"get_current_task", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_probe_read_str] = {"probe_read_str", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_get_current_cgroup_id] = {"get_current_cgroup_id", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_send_signal] = {"send_signal", {HA_ANY}, HR_SCALAR},
	[BPF_FUNC_probe_read_user] = {"probe_read_user", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_probe_read_kernel] = {"probe_read_kernel", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_probe_read_user_str] = {"probe_read_user_str", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_probe_read_kernel_str] = {"probe_read_kernel_str", {HA_WRITE_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_jiffies64] = {"jiffies64", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_ktime_get_boot_ns] = {"ktime_get_boot_ns", {HA_NONE}, HR_SCALAR},
	[BPF_FUNC_ringbuf_output] = {"ringbuf_output", {HA_MAP, HA_READ_NEXT, HA_SIZE, HA_ANY}, HR_SCALAR},
	[BPF_FUNC_ringbuf_reserve] = {"ringbuf_reserve", {HA_MAP, HA_ANY, HA_ANY}, HR_RINGBUF_MEM_OR_NULL},
	[BPF_FUNC_ringbuf_submit] = {"ringbuf_submit", {HA_RINGBUF_MEM, HA_ANY}, HR_VOID},
	[BPF_FUNC_ringbuf_discard] = {"ringbuf_discard", {HA_RINGBUF_MEM, HA_ANY}, HR_VOID},
	[BPF_FUNC_get_func_ip] = {"get_func_ip", {HA_CTX}, HR_SCALAR},
};

const struct bpf_helper_info *bpf_helper(int id)
{
	if (id < 0 || (size_t)id >= sizeof(helpers) / sizeof(helpers[0]) || !helpers[id].name)
		return NULL;
	return &helpers[id];
}
