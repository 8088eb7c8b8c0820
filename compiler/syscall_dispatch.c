/* syscall_dispatch.c - which syscall tracepoints run through a dispatcher,
 * and the dispatcher programs; see syscall_dispatch.h. */
#include "syscall_dispatch.h"

#include <asm/unistd.h>
#include <stdlib.h>
#include <string.h>

/* Below this many syscall tracepoints in one direction, each keeps its own
 * perf event: the tracepoint's exact semantics and a program that reads its
 * record directly, for a detach of well under half a second. */
enum { DEFAULT_DISPATCH_MIN = 8 };

/* Numbers beyond this (x32's, with bit 30 set) are not dispatched. */
enum { MAX_SYSCALL_NR = 1024 };

/* Every __NR_name of <asm/unistd.h>, sorted by name: syscall_table.h is
 * generated at build time (see Makefile.am). */
static const struct syscall_name {
	const char *name;
	int nr;
} syscall_names[] = {
#include "syscall_table.h"
};

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct syscall_name *)elem)->name);
}

/* Syscall events are named after the kernel function (sys_newuname), which
 * for a few calls is not the name <asm/unistd.h> gives them (__NR_uname);
 * alike on x86-64 and arm64. */
static const struct {
	const char *event, *call;
} renamed_calls[] = {
	{"newuname", "uname"},     {"newstat", "stat"},         {"newlstat", "lstat"},
	{"newfstat", "fstat"},     {"sendfile64", "sendfile"},  {"umount", "umount2"},
	{"fadvise64_64", "fadvise64"},
};

/* Calls newer than the headers ebpfq may be built with (Debian 12's are
 * Linux 6.1's).  Since Linux 5.1 (number 424) a new call has the same
 * number on every architecture, and a number is never reused. */
static const struct syscall_name newer_calls[] = {
	{"cachestat", 451},         {"fchmodat2", 452},         {"map_shadow_stack", 453},
	{"futex_wake", 454},        {"futex_wait", 455},        {"futex_requeue", 456},
	{"statmount", 457},         {"listmount", 458},         {"lsm_get_self_attr", 459},
	{"lsm_set_self_attr", 460}, {"lsm_list_modules", 461},  {"mseal", 462},
	{"setxattrat", 463},        {"getxattrat", 464},        {"listxattrat", 465},
	{"removexattrat", 466},     {"open_tree_attr", 467},    {"file_getattr", 468},
	{"file_setattr", 469},
#if defined(__x86_64__)
	{"uretprobe", 335},         {"uprobe", 336}, /* x86-64's own */
#endif
};

static int header_nr(const char *name)
{
	const struct syscall_name *s = bsearch(name, syscall_names,
					       sizeof(syscall_names) / sizeof(syscall_names[0]),
					       sizeof(syscall_names[0]), by_name);
	return s ? s->nr : -1;
}

int syscall_nr_by_name(const char *name)
{
	int nr = header_nr(name);
	for (size_t i = 0; nr < 0 && i < sizeof(renamed_calls) / sizeof(renamed_calls[0]); i++)
		if (!strcmp(name, renamed_calls[i].event))
			nr = header_nr(renamed_calls[i].call);
	for (size_t i = 0; nr < 0 && i < sizeof(newer_calls) / sizeof(newer_calls[0]); i++)
		if (!strcmp(name, newer_calls[i].name))
			nr = newer_calls[i].nr;
	return nr;
}

/* Can this attach point run through a dispatcher, and on which number?  A
 * syscall tracepoint whose number is known, and whose record fields the
 * program reads are all ones the registers hold (a kernel that adds string
 * fields to the record keeps its perf event). */
static bool dispatchable(const struct attach_point *ap, uint32_t *nr)
{
	if (ap->attach != EQ_ATTACH_TRACEPOINT ||
	    (ap->ctx != CTX_SYSCALL_ENTER && ap->ctx != CTX_SYSCALL_EXIT))
		return false;
	const char *event = strchr(ap->target, ':');
	const char *prefix = ap->ctx == CTX_SYSCALL_ENTER ? "sys_enter_" : "sys_exit_";
	if (!event || strncmp(event + 1, prefix, strlen(prefix)))
		return false;
	int n = syscall_nr_by_name(event + 1 + strlen(prefix));
	if (n < 0 || n >= MAX_SYSCALL_NR)
		return false;
	for (int i = 0; ap->format && i < ap->format->count; i++) {
		struct syscall_source src;
		const struct tp_field *f = &ap->format->items[i];
		if (f->kind != TPF_INT || !probe_syscall_source(ap, f->offset, &src))
			return false;
	}
	*nr = (uint32_t)n;
	return true;
}

static int find_dispatcher(struct syscall_plan *plan, bool exit, int layer)
{
	for (int d = 0; d < plan->count; d++)
		if (plan->items[d].exit == exit && plan->items[d].layer == layer)
			return d;
	return -1;
}

/* The compat flag: x86-64's in_ia32_syscall() tests TS_COMPAT in
 * thread_info.status, arm64's is_compat_task() TIF_32BIT in
 * thread_info.flags; thread_info is the start of task_struct. */
static void find_compat_flag(struct syscall_plan *plan, const struct eq_target *target,
			     struct probe_cache *cache)
{
#if defined(__x86_64__)
	const char *member = "status";
	plan->compat_size = 4;
	plan->compat_mask = 0x0002; /* TS_COMPAT */
#elif defined(__aarch64__)
	const char *member = "flags";
	plan->compat_size = 8;
	plan->compat_mask = 1u << 22; /* TIF_32BIT */
#else
	const char *member = NULL;
#endif
	uint32_t in_task, in_info;
	plan->compat_known = member &&
		probe_kernel_member(target, cache, "task_struct", "thread_info", &in_task) &&
		probe_kernel_member(target, cache, "thread_info", member, &in_info);
	plan->compat_offset = plan->compat_known ? in_task + in_info : 0;
}

struct candidate {
	struct attach_point *ap;
	uint32_t nr;
};

void syscall_dispatch_plan(struct syscall_plan *plan, struct attach_list *lists, int nlists,
			   const struct eq_target *target, struct probe_cache *cache,
			   struct arena *arena)
{
	int min = target->syscall_dispatch_min > 0 ? target->syscall_dispatch_min : DEFAULT_DISPATCH_MIN;
	struct {
		struct candidate *items;
		int count, cap;
	} found = {0};
	int in_direction[2] = {0, 0}; /* entry, exit */
	for (int l = 0; l < nlists; l++)
		for (int k = 0; k < lists[l].count; k++) {
			struct candidate c = {&lists[l].items[k], 0};
			if (dispatchable(c.ap, &c.nr)) {
				ARENA_PUSH(arena, found, c);
				in_direction[c.ap->ctx == CTX_SYSCALL_EXIT]++;
			}
		}
	if (in_direction[0] < min && in_direction[1] < min)
		return;
	/* how many programs each number has so far: the next one's layer */
	uint8_t *programs_of = ARENA_ARRAY(arena, uint8_t, 2 * MAX_SYSCALL_NR);
	memset(programs_of, 0, 2 * MAX_SYSCALL_NR);
	for (int i = 0; i < found.count; i++) {
		struct attach_point *ap = found.items[i].ap;
		uint32_t nr = found.items[i].nr;
		bool exit = ap->ctx == CTX_SYSCALL_EXIT;
		uint8_t *programs = &programs_of[exit * MAX_SYSCALL_NR + nr];
		if (in_direction[exit] < min || *programs == 255)
			continue;
		int layer = (*programs)++;
		int d = find_dispatcher(plan, exit, layer);
		if (d < 0) {
			struct syscall_dispatcher new = {.exit = exit, .layer = layer, .loc = ap->loc};
			ARENA_PUSH(arena, *plan, new);
			d = plan->count - 1;
		}
		struct syscall_dispatcher *disp = &plan->items[d];
		if (nr + 1 > disp->table_size)
			disp->table_size = nr + 1;
		disp->nprogs++;
		ap->dispatcher = d;
		ap->syscall_nr = nr;
		ap->prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
		ap->attach = EQ_ATTACH_SYSCALL;
		ap->note = arena_printf(arena, "%s, run by the raw_syscalls:%s dispatcher as number %u",
					ap->note, exit ? "sys_exit" : "sys_enter", nr);
	}
	find_compat_flag(plan, target, cache);
}

struct eq_map syscall_dispatch_map(const struct syscall_plan *plan, int d, struct arena *img_arena)
{
	const struct syscall_dispatcher *disp = &plan->items[d];
	return (struct eq_map){
		.name = arena_printf(img_arena, "%s_progs%d", disp->exit ? "exit" : "enter", disp->layer),
		.role = EQ_MAP_SYSCALL_PROGS,
		.type = BPF_MAP_TYPE_PROG_ARRAY,
		.key_size = 4, .value_size = 4, .max_entries = disp->table_size,
	};
}

/* ---- the dispatcher program ---------------------------------------------- */

struct insns {
	struct bpf_insn *items;
	int count, cap;
};

static void put(struct arena *a, struct insns *out, uint8_t code, int dst, int src, int16_t off,
		int32_t imm)
{
	struct bpf_insn in = {.code = code, .dst_reg = (uint8_t)dst, .src_reg = (uint8_t)src,
			      .off = off, .imm = imm};
	ARENA_PUSH(a, *out, in);
}

/* *(u64 *)(r10 + stack) = the `size` bytes at kernel address r3 (+ add). */
static void read_kernel(struct arena *a, struct insns *out, int32_t add, int16_t stack, int size)
{
	put(a, out, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, add);
	put(a, out, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0);
	put(a, out, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, stack);
	put(a, out, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, size);
	put(a, out, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
}

/*	r6 = r1                          the context: u64 args[2]
 *	(not for a compat call:)
 *	r0 = bpf_get_current_task()
 *	r1 = compat flag of *r0          bpf_probe_read_kernel
 *	if r1 & mask goto out
 *	r3 = the number                  entry: args[1]; exit: pt_regs->orig_ax
 *	bpf_tail_call(r6, table, r3)     returns only if there is no program
 * out:	return 0
 */
struct eq_prog syscall_dispatch_prog(const struct syscall_plan *plan, int d, uint32_t tail_map,
				     struct arena *img_arena)
{
	const struct syscall_dispatcher *disp = &plan->items[d];
	struct insns out = {0};
	struct arena *a = img_arena;
	int skip_jump = -1;
	put(a, &out, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	if (plan->compat_known) {
		put(a, &out, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_task);
		put(a, &out, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_0, 0, 0);
		read_kernel(a, &out, (int32_t)plan->compat_offset, -8, plan->compat_size);
		put(a, &out, BPF_LDX | BPF_MEM | (plan->compat_size == 8 ? BPF_DW : BPF_W), BPF_REG_1,
		    BPF_REG_10, -8, 0);
		put(a, &out, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)plan->compat_mask);
		skip_jump = out.count;
		put(a, &out, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0);
	}
	if (disp->exit) {
		put(a, &out, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_6, 0, 0);
		read_kernel(a, &out, (int32_t)probe_syscall_nr_reg(), -16, 8);
		put(a, &out, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_10, -16, 0);
	} else {
		put(a, &out, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_6, 8, 0);
	}
	put(a, &out, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0);
	int map_insn = out.count;
	put(a, &out, BPF_LD | BPF_DW | BPF_IMM, BPF_REG_2, BPF_PSEUDO_MAP_FD, 0, 0);
	put(a, &out, 0, 0, 0, 0, 0);
	put(a, &out, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call);
	if (skip_jump >= 0)
		out.items[skip_jump].off = (int16_t)(out.count - skip_jump - 1);
	put(a, &out, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	put(a, &out, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	struct eq_map_ref *ref = ARENA_NEW(a, struct eq_map_ref);
	*ref = (struct eq_map_ref){.insn_index = (uint32_t)map_insn, .map_index = tail_map};
	const char *raw = disp->exit ? "sys_exit" : "sys_enter";
	return (struct eq_prog){
		.name = arena_printf(a, "dispatch_%s%d", disp->exit ? "exit" : "enter", disp->layer),
		.probe_name = arena_printf(a, "rawtracepoint:%s (syscall dispatcher)", raw),
		.attach_note = arena_printf(a, "raw tracepoint %s: runs the programs of %d system call%s by number%s",
					    raw, disp->nprogs, disp->nprogs == 1 ? "" : "s",
					    plan->compat_known ? "" : " (32-bit calls not told apart: no kernel BTF)"),
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.attach = EQ_ATTACH_SYSCALL_DISPATCH,
		.target = raw,
		.tail_map = tail_map,
		.insns = out.items, .ninsns = (uint32_t)out.count,
		.refs = ref, .nrefs = 1,
		.line = (uint32_t)disp->loc.line, .col = (uint32_t)disp->loc.col,
	};
}
