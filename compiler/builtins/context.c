/* context.c - builtin variables: who is running (pid, comm, cpid, ...),
 * when (nsecs, elapsed), where (cpu, numaid, probe, func) and what the probe
 * was given (arg0..arg9, sarg0..sarg9, retval, args). */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <string.h>

#include "btf_types.h"
#include "builtins.h"
#include "compiler.h"
#include "ctypes.h"
#include "lower.h"
#include "sema.h"

/* ---- types ------------------------------------------------------------------ */

static const struct eq_type *type_u64(struct sema *s, struct ast *e)
{
	return &ty_u64;
}

static const struct eq_type *type_s64(struct sema *s, struct ast *e)
{
	return &ty_s64;
}

/* curtask: the running task's struct task_struct, in kernel memory. */
static const struct eq_type *type_curtask(struct sema *s, struct ast *e)
{
	return ty_ptr(s->arena, ctypes_kernel_record(s->info->ctypes, "struct task_struct"),
		      SPACE_KERNEL);
}

/* sargN: like argN, an address into the probe's address space or a number. */
static const struct eq_type *type_sarg(struct sema *s, struct ast *e)
{
	struct eq_type t = ty_u64;
	t.space = sema_default_space(s);
	return ty_new(s->arena, t);
}

/* argN: an integer holding what the probe was given; where it holds an
 * address, it points into the probe's address space.  A raw tracepoint's
 * arguments have the types of the tracepoint's prototype in BTF. */
static const struct eq_type *type_arg(struct sema *s, struct ast *e)
{
	const struct attach_list *points = &s->info->points[s->probe_index];
	const struct attach_point *ap = points->count ? &points->items[0] : NULL;
	if (ap && ap->attach == EQ_ATTACH_RAW_TRACEPOINT) {
		struct btf_types *bt = ctypes_kernel(s->info->ctypes);
		const char *name = strrchr(ap->target, ':') ? strrchr(ap->target, ':') + 1 : ap->target;
		const struct eq_type *t = bt ? btf_types_func_arg(bt, arena_printf(s->arena,
					"btf_trace_%s", name), e->name[3] - '0' + 1) : NULL;
		if (t && ty_is_number(t))
			return t;
	}
	return type_sarg(s, e);
}

static const struct eq_type *type_comm(struct sema *s, struct ast *e)
{
	return ty_str(s->arena, 16);
}

static const struct eq_type *type_name_text(struct sema *s, struct ast *e)
{
	return ty_str(s->arena, s->info->strlen);
}

/* cpid: the pid of the -c command, a constant. */
static const struct eq_type *type_cpid(struct sema *s, struct ast *e)
{
	if (!s->info->target || !s->info->target->command)
		sema_error(s, e->loc, "cpid is the pid of the command -c runs, and there is no -c command");
	return &ty_u64;
}

static const struct eq_type *type_args(struct sema *s, struct ast *e)
{
	return sema_args_record(s, e);
}

/* ---- values ----------------------------------------------------------------- */

/* The upper or lower 32 bits of a helper's 64-bit result. */
static struct ir_val half_of(struct lower *L, int helper, bool upper, eq_loc loc)
{
	int v = lower_call(L, helper, loc, 0);
	if (upper)
		return ir_reg(lower_binop(L, IR_SHR, ir_reg(v), ir_imm(32), loc));
	struct ir_insn *in = lower_emit(L, IR_ZEXT32, loc);
	in->dst = ir_vreg_new(L->f);
	in->a = ir_reg(v);
	return ir_reg(in->dst);
}

static struct ir_val lower_pid(struct lower *L, const struct ast *e)
{
	return half_of(L, BPF_FUNC_get_current_pid_tgid, true, e->loc);
}

static struct ir_val lower_tid(struct lower *L, const struct ast *e)
{
	return half_of(L, BPF_FUNC_get_current_pid_tgid, false, e->loc);
}

static struct ir_val lower_uid(struct lower *L, const struct ast *e)
{
	return half_of(L, BPF_FUNC_get_current_uid_gid, false, e->loc);
}

static struct ir_val lower_gid(struct lower *L, const struct ast *e)
{
	return half_of(L, BPF_FUNC_get_current_uid_gid, true, e->loc);
}

/* The builtins that are one helper call without arguments. */
static struct ir_val lower_helper_value(struct lower *L, const struct ast *e)
{
	static const struct {
		const char *name;
		int helper;
	} helpers[] = {
		{"nsecs", BPF_FUNC_ktime_get_ns}, {"cpu", BPF_FUNC_get_smp_processor_id},
		{"rand", BPF_FUNC_get_prandom_u32}, {"cgroup", BPF_FUNC_get_current_cgroup_id},
		{"curtask", BPF_FUNC_get_current_task}, {"numaid", BPF_FUNC_get_numa_node_id},
	};
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (!strcmp(e->name, helpers[i].name))
			return ir_reg(lower_call(L, helpers[i].helper, e->loc, 0));
	lower_error(L, e->loc, "internal error: no helper for this builtin");
	return ir_imm(0);
}

/* Nanoseconds since the runtime stored the start time in the data map. */
static struct ir_val lower_elapsed(struct lower *L, const struct ast *e)
{
	int now = lower_call(L, BPF_FUNC_ktime_get_ns, e->loc, 0);
	int start = lower_load(L, lower_data_addr(L, DROPS_VALUE_START_NS, e->loc), 0, 8, false, e->loc);
	return ir_reg(lower_binop(L, IR_SUB, ir_reg(now), ir_reg(start), e->loc));
}

static struct ir_val lower_arg(struct lower *L, const struct ast *e)
{
	return lower_probe_arg(L, e->name[3] - '0', e->loc);
}

static struct ir_val lower_retval(struct lower *L, const struct ast *e)
{
	return lower_probe_arg(L, -1, e->loc);
}

static struct ir_val lower_cpid(struct lower *L, const struct ast *e)
{
	if (L->env->aot) /* known only when the object runs */
		return ir_reg(lower_load(L, lower_data_addr(L, DROPS_VALUE_CHILD_PID, e->loc), 0, 8, false,
					 e->loc));
	return ir_imm(L->env->child_pid);
}

/* Where a function's arguments beyond the registers are: struct pt_regs'
 * stack pointer, and how far above it the first one is (on x86-64 the
 * return address is in between). */
#if defined(__aarch64__)
enum { PT_REGS_SP = 248, STACK_ARGS_START = 0 };
#else
enum { PT_REGS_SP = 152, STACK_ARGS_START = 8 };
#endif

/* sargN: the Nth argument passed on the stack, read from the probed
 * function's stack (the process's memory for a uprobe). */
static struct ir_val lower_sarg(struct lower *L, const struct ast *e)
{
	enum ctx_layout ctx = L->ap->ctx;
	if (ctx != CTX_PT_REGS_ENTRY && ctx != CTX_USDT) {
		diag_error(L->env->diag, e->loc, "%s is not available in %s (%s): stack arguments are "
			   "read at a function's entry, in a kprobe or a uprobe", e->name,
			   probe_ctx_describe(ctx), L->ap->probe_name);
		L->failed = true;
		return ir_imm(0);
	}
	int sp = lower_load(L, L->ctx, PT_REGS_SP, 8, false, e->loc);
	int at = lower_binop(L, IR_ADD, ir_reg(sp), ir_imm(STACK_ARGS_START + 8 * (e->name[4] - '0')),
			     e->loc);
	return ir_reg(lower_read_memory(L, L->ap->user ? BPF_FUNC_probe_read_user
					: BPF_FUNC_probe_read_kernel, at, 8, e->loc));
}

static void lower_comm(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	int addr = lower_frame_addr(L, slot, off, e->loc);
	lower_call(L, BPF_FUNC_get_current_comm, e->loc, 2, ir_reg(addr), ir_imm(16));
	lower_zero(L, slot, off + 16, size - 16, e->loc); /* the rest of a longer buffer */
}

/* probe and func are known for each attach point: programs are per point. */
static const char *text_probe(const struct lower *L, const struct ast *e)
{
	return L->ap->probe_name;
}

static const char *text_func(const struct lower *L, const struct ast *e)
{
	return L->ap->func;
}

#define INT_VAR(n, type, fn) {.name = n, .kind = BUILTIN_VAR, .check = type, .lower_int = fn}
#define ARG(n) INT_VAR(#n, type_arg, lower_arg)
#define SARG(n) INT_VAR(#n, type_sarg, lower_sarg)

const struct builtin builtins_context[] = {
	INT_VAR("pid", type_u64, lower_pid),
	INT_VAR("tid", type_u64, lower_tid),
	INT_VAR("uid", type_u64, lower_uid),
	INT_VAR("gid", type_u64, lower_gid),
	INT_VAR("nsecs", type_u64, lower_helper_value),
	INT_VAR("elapsed", type_u64, lower_elapsed),
	INT_VAR("cpu", type_u64, lower_helper_value),
	INT_VAR("rand", type_u64, lower_helper_value),
	INT_VAR("cgroup", type_u64, lower_helper_value),
	INT_VAR("curtask", type_curtask, lower_helper_value),
	INT_VAR("numaid", type_u64, lower_helper_value),
	INT_VAR("cpid", type_cpid, lower_cpid),
	ARG(arg0), ARG(arg1), ARG(arg2), ARG(arg3), ARG(arg4),
	ARG(arg5), ARG(arg6), ARG(arg7), ARG(arg8), ARG(arg9),
	SARG(sarg0), SARG(sarg1), SARG(sarg2), SARG(sarg3), SARG(sarg4),
	SARG(sarg5), SARG(sarg6), SARG(sarg7), SARG(sarg8), SARG(sarg9),
	INT_VAR("retval", type_s64, lower_retval),
	{.name = "comm", .kind = BUILTIN_VAR, .check = type_comm, .lower_into = lower_comm},
	{.name = "probe", .kind = BUILTIN_VAR, .check = type_name_text, .const_text = text_probe},
	{.name = "func", .kind = BUILTIN_VAR, .check = type_name_text, .const_text = text_func},
	{.name = "args", .kind = BUILTIN_VAR, .check = type_args},
	{0},
};
