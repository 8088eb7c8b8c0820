/* syscall_dispatch.h - many syscall tracepoints through one raw_syscalls
 * program.
 *
 * A tracepoint attached through perf costs the kernel, when it is detached,
 * a tracepoint_synchronize_unregister() under a global mutex: tens of
 * milliseconds each, one after the other, so a script on every system call
 * took some 17 seconds to exit.  When a script has many syscall tracepoints
 * (at least eq_target.syscall_dispatch_min in one direction), their
 * programs are instead loaded as raw tracepoint programs into a prog array
 * indexed by system call number, and one small dispatcher attached to
 * raw_syscalls' sys_enter (or sys_exit) tail-calls the program of the call
 * being made.  Detaching is closing one link.
 *
 * The programs still read args->FIELD, argN and retval as the tracepoint's
 * record has them: lowering asks probe_syscall_source where each one is.
 * Several probes on one system call need several dispatchers (a tail call
 * does not come back): the second program of a call goes to the second
 * dispatcher ("layer"), which runs after the first, as the probes are
 * ordered in the script.
 */
#ifndef EBPFQ_SYSCALL_DISPATCH_H
#define EBPFQ_SYSCALL_DISPATCH_H

#include "image.h"
#include "probe.h"

struct syscall_dispatcher {
	bool exit;            /* on raw_syscalls:sys_exit, else sys_enter */
	int layer;
	uint32_t table_size;  /* highest system call number it runs + 1 */
	int nprogs;
	eq_loc loc;           /* the first probe it runs, for messages */
};

struct syscall_plan {
	struct syscall_dispatcher *items;
	int count, cap;
	/* How to tell a 32-bit (compat) system call, whose numbers are another
	 * table's and which the syscall tracepoints ignore: a flag in the
	 * current task_struct at compat_offset, from the kernel's BTF. */
	bool compat_known;
	uint32_t compat_offset;
	uint8_t compat_size;   /* 4 or 8 bytes */
	uint32_t compat_mask;
};

/* Decide which attach points (lists[0..nlists)) run through dispatchers
 * and mark them (attach EQ_ATTACH_SYSCALL, ->dispatcher, ->syscall_nr, a raw
 * tracepoint program type).  Their formats must be loaded already. */
void syscall_dispatch_plan(struct syscall_plan *plan, struct attach_list *lists, int nlists,
			   const struct eq_target *target, struct probe_cache *cache,
			   struct arena *arena);

/* Dispatcher d's prog array, and the dispatcher program itself, which
 * tail-calls through the image's map tail_map. */
struct eq_map syscall_dispatch_map(const struct syscall_plan *plan, int d, struct arena *img_arena);
struct eq_prog syscall_dispatch_prog(const struct syscall_plan *plan, int d, uint32_t tail_map,
				     struct arena *img_arena);

/* A system call's number on this architecture by its name ("openat"), from
 * the kernel headers ebpfq was built with; -1 if unknown. */
int syscall_nr_by_name(const char *name);

#endif
