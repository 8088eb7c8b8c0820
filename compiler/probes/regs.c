/* regs.c - struct pt_regs of the architecture ebpfq is built for: where a
 * function's arguments and return value are when a kprobe or uprobe fires,
 * and where a system call keeps its own (for the syscall dispatcher). */
#include "probes.h"

#if defined(__aarch64__)
/* arm64 struct pt_regs: x0..x7 carry the arguments, x0 the return value.  A
 * system call's first argument is kept in orig_x0 (x0 becomes the return
 * value), its number in syscallno. */
static const uint32_t pt_regs_args[] = {0, 8, 16, 24, 32, 40};
static const uint32_t pt_regs_syscall_args[] = {272, 8, 16, 24, 32, 40};
enum { PT_REGS_RET = 0, PT_REGS_SYSCALL_NR = 280 };
#else
/* x86-64 struct pt_regs: di, si, dx, cx, r8, r9 carry the arguments, ax the
 * return value; a system call passes r10 for cx, and its number stays in
 * orig_ax. */
static const uint32_t pt_regs_args[] = {112, 104, 96, 88, 72, 64};
static const uint32_t pt_regs_syscall_args[] = {112, 104, 96, 56, 72, 64};
enum { PT_REGS_RET = 80, PT_REGS_SYSCALL_NR = 120 };
#endif

bool regs_arg_offset(int n, uint32_t *offset)
{
	*offset = n >= 0 && n < 6 ? pt_regs_args[n] : 0;
	return n >= 0 && n < 6;
}

uint32_t regs_syscall_arg_offset(int n)
{
	return pt_regs_syscall_args[n];
}

uint32_t probe_syscall_nr_reg(void)
{
	return PT_REGS_SYSCALL_NR;
}

/* argN in the C calling convention, as an unsigned word */
static bool entry_arg(const struct attach_point *ap, int n, struct tp_field *out)
{
	return regs_arg_offset(n, &out->offset);
}

/* retval: the return register, a signed word */
static bool return_value(const struct attach_point *ap, struct tp_field *out)
{
	out->offset = PT_REGS_RET;
	return true;
}

const struct probe_context probe_ctx_pt_regs_entry = {
	CTX_PT_REGS_ENTRY, "function entry probes", entry_arg, NULL,
};
const struct probe_context probe_ctx_pt_regs_return = {
	CTX_PT_REGS_RETURN, "function return probes", NULL, return_value,
};
