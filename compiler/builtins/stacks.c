/* stacks.c - stacks and symbols: kstack, ustack, kstack([mode,] [frames]),
 * ustack(...), ksym(addr), usym(addr), kaddr("name"), uaddr("name").
 *
 * A stack or a symbol is a value the program cannot print: user space turns
 * it into text (runtime/symbolize.c).  Both are two u64s in memory:
 *
 *   kstack, ustack   {stack id, pid}: bpf_get_stackid() stores the frames in
 *                    a stack map of the stack's frame count (two maps per
 *                    count, sema lists them) and gives their id, negative
 *                    when it could not (no stack: -EFAULT, or full maps)
 *   ksym, usym       {address, pid}
 *
 * the pid (the process, tgid) only for user stacks and symbols, whose
 * addresses mean something in that process alone.  The first time a
 * program takes a user address of a process, it tells user space (an
 * EQ_OUT_WATCH_PID event), which reads the process's memory map at once:
 * an address still symbolizes after the process is gone.
 *
 * kaddr() and uaddr() are numbers known when compiling: from /proc/kallsyms,
 * and from the symbol table of the binary a user probe is in.
 */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "lower.h"
#include "probe.h"
#include "sema.h"
#include "symtab.h"

/* bpftrace's: the frames of a stack without a count, and the most a count may be. */
enum { STACK_FRAMES_DEFAULT = 127, STACK_FRAMES_LIMIT = 1024 };

/* ---- checking --------------------------------------------------------------------- */

/* The stack type, and a stack map of its frame count. */
static const struct eq_type *stack_type(struct sema *s, bool user, uint8_t mode, uint16_t frames)
{
	struct sema_info *info = s->info;
	int i = 0;
	while (i < info->stack_frames.count && info->stack_frames.items[i] != frames)
		i++;
	if (i == info->stack_frames.count)
		ARENA_PUSH(s->arena, info->stack_frames, frames);
	info->watches_pids |= user;
	return ty_stack(s->arena, user, mode, frames);
}

/* What the kernel lets a stack hold (kernel.perf_event_max_stack). */
static uint32_t max_frames(const struct sema *s)
{
	uint32_t max = s->info->max_stack ? s->info->max_stack : STACK_FRAMES_DEFAULT;
	return max < STACK_FRAMES_LIMIT ? max : STACK_FRAMES_LIMIT;
}

/* The frames of kstack without a count: bpftrace's 127, or fewer if the
 * kernel keeps fewer. */
static uint16_t default_frames(const struct sema *s)
{
	return (uint16_t)(max_frames(s) < STACK_FRAMES_DEFAULT ? max_frames(s) : STACK_FRAMES_DEFAULT);
}

static const struct eq_type *check_stack_var(struct sema *s, struct ast *e)
{
	return stack_type(s, e->name[0] == 'u', EQ_STACK_BPFTRACE, default_frames(s));
}

/* A bare word that names no builtin: what a stack mode is written as. */
static bool is_word(const struct ast *a)
{
	return a->kind == AST_BUILTIN && !builtin_find(BUILTIN_VAR, a->name);
}

/* The stack mode a word names (bpftrace 0.17's: perf, bpftrace); false
 * after an error. */
static bool stack_mode(struct sema *s, struct ast *call, struct ast *a, uint8_t *mode)
{
	static const char *const modes[] = {"bpftrace", "perf", NULL};
	a->type = &ty_none; /* a word, not a value */
	if (!is_word(a)) {
		sema_error(s, a->loc, "%s()'s first argument must be a stack mode: perf or bpftrace",
			   call->name);
		return false;
	}
	for (int i = 0; modes[i]; i++)
		if (!strcmp(a->name, modes[i])) {
			*mode = i ? EQ_STACK_PERF : EQ_STACK_BPFTRACE;
			return true;
		}
	sema_error(s, a->loc, "unknown stack mode '%s': %s() prints in mode perf or bpftrace", a->name,
		   call->name);
	sema_hint(s, a->loc, a->name, modes);
	return false;
}

/* The frame count of kstack(N): a constant from 1 to what the kernel allows. */
static bool stack_frames(struct sema *s, struct ast *call, struct ast *n, uint16_t *frames)
{
	int64_t v;
	if (is_word(n)) {
		n->type = &ty_none;
		sema_error(s, n->loc, "%s() takes a stack mode first, then a number of frames, as in "
			   "%s(perf, 8)", call->name, call->name);
		return false;
	}
	if (!sema_const_int(s, n, &v)) {
		sema_error(s, n->loc, "%s()'s number of frames must be a constant", call->name);
		return false;
	}
	uint32_t max = max_frames(s);
	if (v < 1 || v > STACK_FRAMES_LIMIT) {
		sema_error(s, n->loc, "%s() takes 1 to %d frames, not %" PRId64, call->name,
			   STACK_FRAMES_LIMIT, v);
		return false;
	}
	if (v > max) {
		sema_error(s, n->loc, "%s(): this kernel keeps at most %u frames of a stack, not %" PRId64,
			   call->name, max, v);
		if (s->reporting)
			diag_hint(s->diag, n->loc, "`sysctl -w kernel.perf_event_max_stack=%" PRId64 "` "
				  "raises the limit", v);
		return false;
	}
	*frames = (uint16_t)v;
	return true;
}

/* kstack(), kstack(N), kstack(mode), kstack(mode, N); ustack the same. */
static const struct eq_type *check_stack_call(struct sema *s, struct ast *call)
{
	uint8_t mode = EQ_STACK_BPFTRACE;
	uint16_t n = default_frames(s);
	int nargs = call->list.count;
	struct ast *first = nargs ? call->list.items[0] : NULL;
	bool has_mode = nargs == 2 || (first && is_word(first));
	bool ok = !has_mode || stack_mode(s, call, first, &mode);
	if (nargs > has_mode && !stack_frames(s, call, call->list.items[has_mode], &n))
		ok = false;
	const struct eq_type *t = stack_type(s, call->name[0] == 'u', mode, n);
	return ok ? t : &ty_none;
}

/* ksym(addr), usym(addr) */
static const struct eq_type *check_symbol(struct sema *s, struct ast *call)
{
	if (!sema_int_arg(s, call, 0))
		return &ty_none;
	bool user = call->name[0] == 'u';
	s->info->watches_pids |= user;
	return ty_symbol(s->arena, user);
}

/* The name kaddr() or uaddr() looks up: a string literal. */
static const char *symbol_name_arg(struct sema *s, struct ast *call)
{
	return sema_literal_arg(s, call, 0, call->name[0] == 'k'
				? "the name of a symbol as a string literal, as in kaddr(\"jiffies\")"
				: "the name of a symbol as a string literal, as in uaddr(\"main\")");
}

/* "did you mean" the closest name of the table. */
static void hint_symbol(struct sema *s, eq_loc loc, const char *name, const struct symtab *st)
{
	const char **names = calloc(st->count + 1, sizeof(*names));
	for (size_t i = 0; names && i < st->count; i++)
		names[i] = symtab_name(st, &st->syms[i]);
	if (names)
		sema_hint(s, loc, name, names);
	free(names);
}

/* kaddr("name"): the kernel symbol's address, now.  /proc/kallsyms is read
 * once per compile, when the errors are reported (sema's second walk). */
static const struct eq_type *check_kaddr(struct sema *s, struct ast *call)
{
	const char *name = symbol_name_arg(s, call);
	if (!name || !s->reporting)
		return &ty_u64;
	struct sema_info *info = s->info;
	if (!info->kernel_symbols) {
		info->kernel_symbols = ARENA_NEW(s->arena, struct symtab);
		int rc = symtab_read_kallsyms(info->kernel_symbols);
		if (rc) {
			sema_error(s, call->loc, "kaddr() needs the kernel's symbols, and /proc/kallsyms %s",
				   rc == -EPERM ? "shows their addresses to root only" : strerror(-rc));
			return &ty_u64;
		}
	}
	const struct symtab_sym *sym = symtab_find_name(info->kernel_symbols, name);
	if (!sym) {
		sema_error(s, call->list.items[0]->loc, "the kernel has no symbol '%s'", name);
		hint_symbol(s, call->list.items[0]->loc, name, info->kernel_symbols);
		return &ty_u64;
	}
	call->ival = (int64_t)sym->addr;
	return &ty_u64;
}

/* The symbol `name` in the binary of a user probe's attach point, read
 * into st (which the caller frees); NULL after an error. */
static const struct symtab_sym *user_symbol(struct sema *s, struct ast *call, const char *name,
					    const struct attach_point *ap, struct symtab *st)
{
	int rc = symtab_read_elf(ap->target, SYMTAB_DEBUG_FILE, st);
	const struct symtab_sym *sym = rc ? NULL : symtab_find_name(st, name);
	if (rc)
		sema_error(s, call->loc, "cannot read the symbols of %s: %s", ap->target, strerror(-rc));
	else if (!sym) {
		sema_error(s, call->list.items[0]->loc, "%s has no symbol '%s'", ap->target, name);
		hint_symbol(s, call->list.items[0]->loc, name, st);
	}
	return sym;
}

static bool is_user_probe(const struct attach_point *ap)
{
	return ap->attach == EQ_ATTACH_UPROBE || ap->attach == EQ_ATTACH_URETPROBE;
}

/* uaddr("name"): a symbol of the binary the probe is in (bpftrace's rule:
 * only uprobes, uretprobes and usdt probes have one). */
static const struct eq_type *check_uaddr(struct sema *s, struct ast *call)
{
	const char *name = symbol_name_arg(s, call);
	const struct attach_list *points = &s->info->points[s->probe_index];
	for (int i = 0; i < points->count; i++) {
		const struct attach_point *ap = &points->items[i];
		if (!is_user_probe(ap)) {
			sema_error(s, call->loc, "uaddr() looks in the binary of a uprobe, uretprobe or usdt "
				   "probe; %s has none", ap->probe_name);
			return &ty_u64;
		}
	}
	for (int i = 0; name && s->reporting && i < points->count; i++) {
		const struct attach_point *ap = &points->items[i];
		struct symtab st;
		if (user_symbol(s, call, name, ap, &st) && st.is_dyn && ap->attach == EQ_ATTACH_URETPROBE)
			sema_warning(s, call->loc, "in a uretprobe of %s, which is loaded at an address "
				     "chosen at run time, uaddr() is the symbol's address in the file, not in "
				     "the process (use it in a uprobe)", ap->target);
		symtab_free(&st);
	}
	return &ty_u64;
}

/* ---- code -------------------------------------------------------------------------- */

/* The pid (tgid) of the running process. */
static struct ir_val current_pid(struct lower *L, eq_loc loc)
{
	int v = lower_call(L, BPF_FUNC_get_current_pid_tgid, loc, 0);
	return ir_reg(lower_binop(L, IR_SHR, ir_reg(v), ir_imm(32), loc));
}

/* If the pids map does not hold pid yet, add it and announce the process
 * to user space (EQ_OUT_WATCH_PID).  An LRU map: a process forgotten and
 * seen again is announced again, which costs user space nothing. */
static void watch_pid(struct lower *L, struct ir_val pid, eq_loc loc)
{
	struct ir_block *unseen = lower_block(L), *added = lower_block(L), *join = lower_block(L);
	int key = lower_slot(L, 8);
	lower_store(L, key, 0, 8, pid, loc);
	int map = lower_map_addr(L, L->env->pids_map, loc);
	int p = lower_call(L, BPF_FUNC_map_lookup_elem, loc, 2, ir_reg(map),
			   ir_reg(lower_frame_addr(L, key, 0, loc)));
	lower_branch(L, IRC_EQ, ir_reg(p), ir_imm(0), unseen, join, loc);
	lower_place(L, unseen);
	int one = lower_slot(L, 8);
	lower_store(L, one, 0, 8, ir_imm(1), loc);
	map = lower_map_addr(L, L->env->pids_map, loc);
	int r = lower_call(L, BPF_FUNC_map_update_elem, loc, 4, ir_reg(map),
			   ir_reg(lower_frame_addr(L, key, 0, loc)), ir_reg(lower_frame_addr(L, one, 0, loc)),
			   ir_imm(BPF_NOEXIST));
	lower_branch(L, IRC_EQ, ir_reg(r), ir_imm(0), added, join, loc);
	lower_place(L, added);
	lower_send_value_event(L, EQ_OUT_WATCH_PID, pid, loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
}

/* {value, pid} at slot+off: the pid of the running process for a user
 * stack or symbol (announced), 0 for the kernel's. */
static void store_pair(struct lower *L, struct ir_val v, bool user, int slot, int32_t off, eq_loc loc)
{
	lower_store(L, slot, off, 8, v, loc);
	struct ir_val pid = ir_imm(0);
	if (user) {
		pid = current_pid(L, loc);
		watch_pid(L, pid, loc);
	}
	lower_store(L, slot, off + 8, 8, pid, loc);
}

/* The first of the two stack maps for stacks of this many frames. */
static int stack_map(const struct lower *L, uint16_t frames)
{
	const struct sema_info *info = L->env->info;
	int i = 0;
	while (i < info->stack_frames.count - 1 && info->stack_frames.items[i] != frames)
		i++;
	return L->env->first_stack_map + 2 * i;
}

enum { STACK_USER = 1 << 8 }; /* BPF_F_USER_STACK */

/* kstack, ustack: the stack's id in its map.  A stack map is a hash table
 * that refuses a stack whose bucket another stack holds (-EEXIST), or any
 * once it is full; such a stack goes to the second map, and its id says so
 * (bit 32).  One refused by both is counted; having no stack at all
 * (kstack in a uprobe: -EFAULT) is not a failure. */
static void lower_stack(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	const struct eq_type *t = e->type;
	eq_loc loc = e->loc;
	struct ir_val flags = ir_imm(t->user ? STACK_USER : 0);
	int first = stack_map(L, t->frames), id = ir_vreg_new(L->f);
	int map = lower_map_addr(L, first, loc);
	lower_mov(L, id, ir_reg(lower_call(L, BPF_FUNC_get_stackid, loc, 3, ir_reg(L->ctx), ir_reg(map),
					   flags)), loc);
	struct ir_block *failed = lower_block(L), *retry = lower_block(L), *second = lower_block(L),
			*lost = lower_block(L), *join = lower_block(L);
	lower_branch(L, IRC_SLT, ir_reg(id), ir_imm(0), failed, join, loc);
	lower_place(L, failed);
	lower_branch(L, IRC_EQ, ir_reg(id), ir_imm(-EFAULT), join, retry, loc);
	lower_place(L, retry);
	map = lower_map_addr(L, first + 1, loc);
	int again = lower_call(L, BPF_FUNC_get_stackid, loc, 3, ir_reg(L->ctx), ir_reg(map), flags);
	lower_mov(L, id, ir_reg(again), loc);
	lower_branch(L, IRC_SLT, ir_reg(again), ir_imm(0), lost, second, loc);
	lower_place(L, second);
	lower_mov(L, id, ir_reg(lower_binop(L, IR_ADD, ir_reg(again), ir_imm(INT64_C(1) << 32), loc)), loc);
	lower_jump(L, join, loc);
	lower_place(L, lost);
	lower_count_data(L, DROPS_VALUE_STACK_LOST, loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
	store_pair(L, ir_reg(id), t->user, slot, off, loc);
}

static void lower_symbol(struct lower *L, const struct ast *call, int slot, int32_t off, uint32_t size)
{
	store_pair(L, lower_int(L, call->list.items[0]), call->type->user, slot, off, call->loc);
}

static struct ir_val lower_kaddr(struct lower *L, const struct ast *call)
{
	return ir_imm(call->ival);
}

/* uaddr("name"): the symbol's address in the file; in a uprobe of a binary
 * loaded at a bias (PIE, a library), plus the bias, which is where the
 * probe fired (the instruction pointer) less where the probe is in the file. */
static struct ir_val lower_uaddr(struct lower *L, const struct ast *call)
{
	const struct attach_point *ap = L->ap;
	struct symtab st;
	uint64_t probe_vaddr;
	struct ir_val v = ir_imm(0);
	const struct symtab_sym *sym = symtab_read_elf(ap->target, SYMTAB_DEBUG_FILE, &st) ? NULL
				       : symtab_find_name(&st, call->list.items[0]->str);
	if (!sym) {
		lower_error(L, call->loc, "internal error: uaddr()'s symbol is gone");
	} else if (!st.is_dyn || ap->attach != EQ_ATTACH_UPROBE ||
		   symtab_offset_to_vaddr(&st, ap->target_offset, &probe_vaddr)) {
		v = ir_imm((int64_t)sym->addr);
	} else {
		int ip = lower_load(L, L->ctx, (int32_t)probe_ip_reg(), 8, false, call->loc);
		v = ir_reg(lower_binop(L, IR_ADD, ir_reg(ip), ir_imm((int64_t)(sym->addr - probe_vaddr)),
				       call->loc));
	}
	symtab_free(&st);
	return v;
}

#define STACK_VAR(n) {.name = n, .kind = BUILTIN_VAR, .check = check_stack_var, .lower_into = lower_stack}

const struct builtin builtins_stacks[] = {
	STACK_VAR("kstack"),
	STACK_VAR("ustack"),
	BUILTIN_FUNCTION("kstack", 0, 2, check_stack_call, .lower_into = lower_stack),
	BUILTIN_FUNCTION("ustack", 0, 2, check_stack_call, .lower_into = lower_stack),
	BUILTIN_FUNCTION("ksym", 1, 1, check_symbol, .lower_into = lower_symbol),
	BUILTIN_FUNCTION("usym", 1, 1, check_symbol, .lower_into = lower_symbol),
	BUILTIN_FUNCTION("kaddr", 1, 1, check_kaddr, .lower_int = lower_kaddr),
	BUILTIN_FUNCTION("uaddr", 1, 1, check_uaddr, .lower_int = lower_uaddr),
	{0},
};
