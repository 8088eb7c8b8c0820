/* lower.c - AST to IR: expressions, conditions, strings and statements.
 * Events (printf, print, exit) and map updates are in lower_event.c.
 *
 * Conditions are never computed as values and then tested: lower_cond()
 * sends control straight to the true or false block (Lua's lcode.c jump
 * lists in spirit), so `if (a && b)` costs two compare-and-branches.  A
 * comparison becomes a 0/1 value only where one is asked for.
 */
#define LOWER_INTERNAL
#include "lower.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "builtins/builtins.h"
#include "helpers.h"

/* ---- emitting --------------------------------------------------------------- */

struct ir_insn *lower_emit(struct lower *L, enum ir_op op, eq_loc loc)
{
	return ir_emit(L->env->insn_arena, L->cur, op, loc);
}

void lower_error(struct lower *L, eq_loc loc, const char *msg)
{
	diag_error(L->env->diag, loc, "%s", msg);
	L->failed = true;
}

/* BPF ALU and store immediates are 32-bit, sign-extended: a wider constant
 * goes through a register. */
struct ir_val lower_fit_imm(struct lower *L, struct ir_val v, eq_loc loc)
{
	if (v.kind != IRV_IMM || (v.imm >= INT32_MIN && v.imm <= INT32_MAX))
		return v;
	struct ir_insn *in = lower_emit(L, IR_CONST, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = v.imm;
	return ir_reg(in->dst);
}

static struct ir_val in_reg(struct lower *L, struct ir_val v, eq_loc loc)
{
	if (v.kind == IRV_REG)
		return v;
	struct ir_insn *in = lower_emit(L, IR_CONST, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = v.imm;
	return ir_reg(in->dst);
}

/* a op b on constants, with BPF's semantics: x / 0 = 0, x % 0 = x, shift
 * counts modulo 64. */
static int64_t fold(enum ir_op op, uint64_t a, uint64_t b)
{
	switch (op) {
	case IR_ADD: return (int64_t)(a + b);
	case IR_SUB: return (int64_t)(a - b);
	case IR_MUL: return (int64_t)(a * b);
	case IR_UDIV: return b ? (int64_t)(a / b) : 0;
	case IR_UMOD: return b ? (int64_t)(a % b) : (int64_t)a;
	case IR_SDIV:
		if (!b)
			return 0;
		if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
			return INT64_MIN;
		return (int64_t)a / (int64_t)b;
	case IR_SMOD:
		if (!b)
			return (int64_t)a;
		if ((int64_t)b == -1)
			return 0;
		return (int64_t)a % (int64_t)b;
	case IR_AND: return (int64_t)(a & b);
	case IR_OR: return (int64_t)(a | b);
	case IR_XOR: return (int64_t)(a ^ b);
	case IR_SHL: return (int64_t)(a << (b & 63));
	case IR_SHR: return (int64_t)(a >> (b & 63));
	case IR_SAR: return (int64_t)a >> (b & 63);
	default: return 0;
	}
}

/* Folds what is known at compile time, and the divisions by a constant 0
 * that the verifier would refuse to see. */
struct ir_val lower_arith(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc)
{
	if (a.kind == IRV_IMM && b.kind == IRV_IMM)
		return ir_imm(fold(op, (uint64_t)a.imm, (uint64_t)b.imm));
	if (b.kind == IRV_IMM && b.imm == 0 && (op == IR_UDIV || op == IR_SDIV))
		return ir_imm(0);
	if (b.kind == IRV_IMM && b.imm == 0 && (op == IR_UMOD || op == IR_SMOD))
		return a;
	return ir_reg(lower_binop(L, op, a, b, loc));
}

int lower_binop(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc)
{
	a = in_reg(L, a, loc);
	b = lower_fit_imm(L, b, loc);
	struct ir_insn *in = lower_emit(L, op, loc);
	in->dst = ir_vreg_new(L->f);
	in->a = a;
	in->b = b;
	return in->dst;
}

static int lower_unop(struct lower *L, enum ir_op op, struct ir_val a, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, op, loc);
	in->dst = ir_vreg_new(L->f);
	in->a = in_reg(L, a, loc);
	return in->dst;
}

/* -k reports the failures of helpers that change something (a map update,
 * a signal); -kk those of the reads too (bpftrace's levels).  A ring buffer
 * output is not among them: its failures are counted as lost events. */
static bool reports_failure(int level, int helper)
{
	switch (helper) {
	case BPF_FUNC_map_update_elem: case BPF_FUNC_map_delete_elem: case BPF_FUNC_send_signal:
	case BPF_FUNC_get_stackid: case BPF_FUNC_get_stack:
		return level >= 1;
	case BPF_FUNC_probe_read: case BPF_FUNC_probe_read_str: case BPF_FUNC_probe_read_user:
	case BPF_FUNC_probe_read_kernel: case BPF_FUNC_probe_read_user_str:
	case BPF_FUNC_probe_read_kernel_str: case BPF_FUNC_get_current_comm:
		return level >= 2;
	default:
		return false;
	}
}

/* If the helper returned an error (negative; for a delete, one other than
 * "no such key", which deleting what is not there is not), send an event
 * naming it and the script's line: the runtime reports it on stderr. */
static void report_failure(struct lower *L, int helper, int ret, eq_loc loc)
{
	struct ir_block *failed = lower_block(L), *cont = lower_block(L);
	if (helper == BPF_FUNC_map_delete_elem) {
		struct ir_block *other = lower_block(L);
		lower_branch(L, IRC_EQ, ir_reg(ret), ir_imm(-ENOENT), cont, other, loc);
		lower_place(L, other);
	}
	lower_branch(L, IRC_SLT, ir_reg(ret), ir_imm(0), failed, cont, loc);
	lower_place(L, failed);
	uint32_t mark = L->f->frame_size;
	struct eq_output *o = lower_send_value_event(L, EQ_OUT_HELPER_ERROR, ir_reg(ret), loc);
	o->fmt = bpf_helper(helper) ? bpf_helper(helper)->name : "a helper";
	L->f->frame_size = mark;
	lower_jump(L, cont, loc);
	lower_place(L, cont);
}

int lower_call(struct lower *L, int helper, eq_loc loc, int nargs, ...)
{
	struct ir_val args[IR_MAX_ARGS];
	va_list ap;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, struct ir_val);
	va_end(ap);
	struct ir_insn *in = lower_emit(L, IR_CALL, loc);
	in->imm = helper;
	in->nargs = (uint8_t)nargs;
	in->args = ARENA_ARRAY(L->arena, struct ir_val, nargs);
	memcpy(in->args, args, sizeof(args[0]) * (size_t)nargs);
	in->dst = ir_vreg_new(L->f);
	int ret = in->dst;
	if (reports_failure(L->env->helper_errors, helper))
		report_failure(L, helper, ret, loc);
	return ret;
}

/* ---- memory the program owns: frame slots, and scratch for big values ------- */

int lower_stack_slot(struct lower *L, uint32_t size)
{
	int slot = ir_slot_new(L->arena, L->f, size, false);
	while (L->scratch_of.count <= slot)
		ARENA_PUSH(L->arena, L->scratch_of, -1);
	return slot;
}

int lower_scratch_alias(struct lower *L, int32_t offset)
{
	int slot = lower_stack_slot(L, 0); /* a name only: no frame bytes */
	L->scratch_of.items[slot] = offset;
	if (L->scratch_vreg < 0)
		L->scratch_vreg = ir_vreg_new(L->f);
	return slot;
}

int lower_scratch_slot(struct lower *L, uint32_t size)
{
	int slot = lower_scratch_alias(L, (int32_t)L->scratch_size);
	L->scratch_size += (size + 7) & ~7u;
	if (L->scratch_size > L->scratch_max)
		L->scratch_max = L->scratch_size;
	return slot;
}

int lower_slot(struct lower *L, uint32_t size)
{
	return size <= L->stack_slot_max ? lower_stack_slot(L, size) : lower_scratch_slot(L, size);
}

int32_t lower_scratch_offset(const struct lower *L, int slot)
{
	return slot >= 0 && slot < L->scratch_of.count ? L->scratch_of.items[slot] : -1;
}

int lower_frame_addr(struct lower *L, int slot, int32_t off, eq_loc loc)
{
	int32_t at = lower_scratch_offset(L, slot);
	if (at >= 0)
		return lower_binop(L, IR_ADD, ir_reg(L->scratch_vreg), ir_imm(at + off), loc);
	struct ir_insn *in = lower_emit(L, IR_FRAME, loc);
	in->dst = ir_vreg_new(L->f);
	in->mem = (struct ir_addr){.base = -1, .slot = slot, .off = off};
	return in->dst;
}

int lower_map_addr(struct lower *L, int map, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, IR_MAP, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = map;
	return in->dst;
}

void lower_store(struct lower *L, int slot, int32_t off, uint8_t size, struct ir_val v, eq_loc loc)
{
	int32_t at = lower_scratch_offset(L, slot);
	if (at >= 0) {
		lower_store_at(L, L->scratch_vreg, at + off, size, v, loc);
		return;
	}
	v = lower_fit_imm(L, v, loc);
	struct ir_insn *in = lower_emit(L, IR_STORE, loc);
	in->mem = (struct ir_addr){.base = -1, .slot = slot, .off = off};
	in->size = size;
	in->a = v;
}

int lower_load(struct lower *L, int base, int32_t off, uint8_t size, bool is_signed, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, IR_LOAD, loc);
	in->dst = ir_vreg_new(L->f);
	in->mem = (struct ir_addr){.base = base, .slot = -1, .off = off};
	in->size = size;
	in->is_signed = is_signed;
	return in->dst;
}

void lower_store_at(struct lower *L, int base, int32_t off, uint8_t size, struct ir_val v, eq_loc loc)
{
	v = lower_fit_imm(L, v, loc);
	struct ir_insn *in = lower_emit(L, IR_STORE, loc);
	in->mem = (struct ir_addr){.base = base, .slot = -1, .off = off};
	in->size = size;
	in->a = v;
}

int lower_load_slot_as(struct lower *L, int slot, int32_t off, uint8_t size, bool is_signed, eq_loc loc)
{
	int32_t at = lower_scratch_offset(L, slot);
	if (at >= 0)
		return lower_load(L, L->scratch_vreg, at + off, size, is_signed, loc);
	struct ir_insn *in = lower_emit(L, IR_LOAD, loc);
	in->dst = ir_vreg_new(L->f);
	in->mem = (struct ir_addr){.base = -1, .slot = slot, .off = off};
	in->size = size;
	in->is_signed = is_signed;
	return in->dst;
}

int lower_load_slot(struct lower *L, int slot, int32_t off, uint8_t size, eq_loc loc)
{
	return lower_load_slot_as(L, slot, off, size, false, loc);
}

struct ir_block *lower_block(struct lower *L)
{
	return ir_block_create(L->arena, L->f);
}

void lower_place(struct lower *L, struct ir_block *b)
{
	ir_block_place(L->arena, L->f, b);
	L->cur = b;
}

/* d = v, on the current path: how a value is given on each side of a branch */
void lower_mov(struct lower *L, int d, struct ir_val v, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, v.kind == IRV_IMM ? IR_CONST : IR_MOV, loc);
	in->dst = d;
	if (v.kind == IRV_IMM)
		in->imm = v.imm;
	else
		in->a = v;
}

void lower_jump(struct lower *L, struct ir_block *to, eq_loc loc)
{
	lower_emit(L, IR_JMP, loc)->target[0] = to->id;
}

void lower_branch(struct lower *L, enum ir_cond c, struct ir_val a, struct ir_val b,
		  struct ir_block *t, struct ir_block *f, eq_loc loc)
{
	if (a.kind == IRV_IMM && b.kind == IRV_REG) {
		static const enum ir_cond swapped[] = {IRC_EQ, IRC_NE, IRC_UGT, IRC_UGE, IRC_ULT,
						       IRC_ULE, IRC_SGT, IRC_SGE, IRC_SLT, IRC_SLE, IRC_SET};
		struct ir_val tmp = a;
		a = b, b = tmp, c = swapped[c];
	}
	a = in_reg(L, a, loc);
	b = lower_fit_imm(L, b, loc);
	struct ir_insn *in = lower_emit(L, IR_BR, loc);
	in->cond = c;
	in->a = a;
	in->b = b;
	in->target[0] = t->id;
	in->target[1] = f->id;
}

static uint32_t round8(uint32_t n)
{
	return (n + 7) & ~7u;
}

/* The registry entry of a builtin variable or call. */
const struct builtin *lower_builtin_of(const struct ast *e)
{
	if (e->kind != AST_BUILTIN && e->kind != AST_CALL)
		return NULL;
	return builtin_find(e->kind == AST_BUILTIN ? BUILTIN_VAR : BUILTIN_CALL, e->name);
}

/* ---- integers ---------------------------------------------------------------- */

/* `size` bytes of kernel (or, with probe_read_user, user) memory at addr,
 * read into a zeroed temporary: the value, zero-extended. */
int lower_read_memory(struct lower *L, int helper, int addr, uint8_t size, eq_loc loc)
{
	/* the helper writes all `size` bytes (zeros if the read faults), which
	 * are loaded at their own width: nothing to zero first */
	int slot = lower_slot(L, 8);
	lower_call(L, helper, loc, 3, ir_reg(lower_frame_addr(L, slot, 0, loc)), ir_imm(size),
		   ir_reg(addr));
	return lower_load_slot(L, slot, 0, size, loc);
}

/* A field of a syscall tracepoint's record for a program a dispatcher runs
 * (see syscall_dispatch.h): from raw_syscalls' context or the registers.
 * Zero-extended from `size` bytes, as a load of the record would be. */
static int syscall_field_load(struct lower *L, uint32_t off, uint8_t size, eq_loc loc)
{
	struct syscall_source src;
	probe_syscall_source(L->ap, off, &src); /* the plan dispatched no probe reading another */
	int v;
	if (src.in_regs) {
		int regs = lower_load(L, L->ctx, 0, 8, false, loc); /* struct pt_regs * */
		int addr = lower_binop(L, IR_ADD, ir_reg(regs), ir_imm(src.offset), loc);
		v = lower_read_memory(L, BPF_FUNC_probe_read_kernel, addr, 8, loc);
	} else {
		v = lower_load(L, L->ctx, (int32_t)src.offset, 8, false, loc);
	}
	if (size < 8)
		v = lower_binop(L, IR_AND, ir_reg(v), ir_imm((int64_t)((1ull << (size * 8)) - 1)), loc);
	return v;
}

/* `size` bytes of the context at off: the tracepoint's record, pt_regs, or
 * the argument array, as the probe kind has it. */
static int ctx_load(struct lower *L, uint32_t off, uint8_t size, bool is_signed, eq_loc loc)
{
	if (L->ap->attach == EQ_ATTACH_SYSCALL)
		return syscall_field_load(L, off, size, loc);
	return lower_load(L, L->ctx, (int32_t)off, size, is_signed, loc);
}

/* Cut a 64-bit value to its C type of `bits` bits, sign-extending where the
 * type is signed. */
static struct ir_val cut_to_type(struct lower *L, int v, uint8_t bits, bool is_signed, eq_loc loc)
{
	if (bits >= 64)
		return ir_reg(v);
	if (is_signed) {
		int up = lower_binop(L, IR_SHL, ir_reg(v), ir_imm(64 - bits), loc);
		return ir_reg(lower_binop(L, IR_SAR, ir_reg(up), ir_imm(64 - bits), loc));
	}
	return ir_reg(lower_binop(L, IR_AND, ir_reg(v), ir_imm((int64_t)((1ull << bits) - 1)), loc));
}

/* argN of a USDT probe, where its note says: a register, memory at a
 * register plus a displacement (read from the traced process), or a
 * constant. */
static struct ir_val usdt_arg(struct lower *L, int n, eq_loc loc)
{
	if (n >= L->ap->nusdt_args) {
		diag_error(L->env->diag, loc, "arg%d is not available: USDT probe %s has %d argument%s", n,
			   L->ap->probe_name, L->ap->nusdt_args, L->ap->nusdt_args == 1 ? "" : "s");
		L->failed = true;
		return ir_imm(0);
	}
	const struct usdt_arg *a = &L->ap->usdt_args[n];
	if (a->kind == USDT_ARG_CONST)
		return ir_imm(a->value);
	int v = ctx_load(L, a->reg_offset, 8, false, loc);
	if (a->kind == USDT_ARG_MEM) {
		int addr = lower_binop(L, IR_ADD, ir_reg(v), ir_imm(a->value), loc);
		v = lower_read_memory(L, BPF_FUNC_probe_read_user, addr, a->size, loc);
	}
	return cut_to_type(L, v, (uint8_t)(a->size * 8), a->is_signed, loc);
}

/* argN (n >= 0) or retval (n < 0): where the probe kind keeps it. */
struct ir_val lower_probe_arg(struct lower *L, int n, eq_loc loc)
{
	if (n >= 0 && L->ap->ctx == CTX_USDT)
		return usdt_arg(L, n, loc);
	char name[16];
	snprintf(name, sizeof(name), n >= 0 ? "arg%d" : "retval", n);
	struct tp_field f;
	if (n >= 0 ? !probe_ctx_arg(L->ap, n, &f) : !probe_ctx_retval(L->ap, &f)) {
		if (n >= 0 && (L->ap->ctx == CTX_FENTRY || L->ap->ctx == CTX_FEXIT))
			diag_error(L->env->diag, loc, "%s is not available: %s takes %d argument%s", name,
				   L->ap->func, L->ap->nargs, L->ap->nargs == 1 ? "" : "s");
		else
			diag_error(L->env->diag, loc, "%s is not available in %s (%s)", name,
				   probe_ctx_describe(L->ap->ctx), L->ap->probe_name);
		L->failed = true;
		return ir_imm(0);
	}
	int v = ctx_load(L, f.offset, (uint8_t)f.size, f.is_signed, loc);
	return cut_to_type(L, v, f.bits, f.is_signed, loc);
}

/* A builtin variable or a call with an integer value, by the registry. */
static struct ir_val lower_builtin(struct lower *L, const struct ast *e)
{
	const struct builtin *b = lower_builtin_of(e);
	if (!b || !b->lower_int) {
		lower_error(L, e->loc, "internal error: this builtin has no integer value");
		return ir_imm(0);
	}
	return b->lower_int(L, e);
}

/* args->FIELD of an integer kind: load its storage, then cut it to its C
 * type and sign-extend where the type is signed. */
static struct ir_val args_int(struct lower *L, const struct ast *e)
{
	const struct tp_field *f = probe_find_field(L->ap, e->name);
	int v = ctx_load(L, f->offset, (uint8_t)f->size, false, e->loc);
	if (!f->is_signed && f->bits >= f->size * 8)
		return ir_reg(v); /* the load already zero-extended it */
	return cut_to_type(L, v, f->bits, f->is_signed, e->loc);
}

static const enum ir_op arith_ops[] = {
	[OP_BOR] = IR_OR, [OP_BXOR] = IR_XOR, [OP_BAND] = IR_AND, [OP_SHL] = IR_SHL,
	[OP_ADD] = IR_ADD, [OP_SUB] = IR_SUB, [OP_MUL] = IR_MUL,
};

/* The IR operation for an arithmetic operator on operands of this signedness. */
static enum ir_op arith_op(enum ast_op op, bool is_signed)
{
	switch (op) {
	case OP_DIV: return is_signed ? IR_SDIV : IR_UDIV;
	case OP_MOD: return is_signed ? IR_SMOD : IR_UMOD;
	case OP_SHR: return is_signed ? IR_SAR : IR_SHR;
	default: return arith_ops[op];
	}
}

static bool is_cond_op(enum ast_op op)
{
	return (op >= OP_EQ && op <= OP_GE) || op == OP_LAND || op == OP_LOR;
}

/* A condition as a 0/1 value. */
static struct ir_val cond_value(struct lower *L, const struct ast *e)
{
	struct ir_block *t = lower_block(L), *f = lower_block(L), *join = lower_block(L);
	int d = ir_vreg_new(L->f);
	lower_cond(L, e, t, f);
	lower_place(L, t);
	lower_mov(L, d, ir_imm(1), e->loc);
	lower_jump(L, join, e->loc);
	lower_place(L, f);
	lower_mov(L, d, ir_imm(0), e->loc);
	lower_jump(L, join, e->loc);
	lower_place(L, join);
	return ir_reg(d);
}

/* (u8)x .. (s64)x: truncate to the width, then zero- or sign-extend. */
static struct ir_val lower_cast(struct lower *L, const struct ast *e)
{
	struct ir_val v = lower_int(L, e->a);
	uint32_t bits = e->type->size * 8;
	if (bits == 64)
		return v;
	if (v.kind == IRV_IMM) {
		uint64_t m = (uint64_t)v.imm & ((1ull << bits) - 1);
		if (e->type->is_signed && (m >> (bits - 1)))
			m |= ~((1ull << bits) - 1);
		return ir_imm((int64_t)m);
	}
	if (!e->type->is_signed && bits == 32)
		return ir_reg(lower_unop(L, IR_ZEXT32, v, e->loc));
	if (!e->type->is_signed)
		return ir_reg(lower_binop(L, IR_AND, v, ir_imm((1 << bits) - 1), e->loc));
	int up = lower_binop(L, IR_SHL, v, ir_imm(64 - bits), e->loc);
	return ir_reg(lower_binop(L, IR_SAR, ir_reg(up), ir_imm(64 - bits), e->loc));
}

static struct ir_val lower_ternary(struct lower *L, const struct ast *e)
{
	struct ir_block *t = lower_block(L), *f = lower_block(L), *join = lower_block(L);
	int d = ir_vreg_new(L->f);
	lower_cond(L, e->a, t, f);
	lower_place(L, t);
	lower_mov(L, d, lower_int(L, e->b), e->loc);
	lower_jump(L, join, e->loc);
	lower_place(L, f);
	lower_mov(L, d, lower_int(L, e->c), e->loc);
	lower_jump(L, join, e->loc);
	lower_place(L, join);
	return ir_reg(d);
}

static void lower_var_assign(struct lower *L, const struct ast *st);

/* $x++, --@m[k] as values: the update, then the value before it (postfix)
 * or after it (prefix), in a register of its own. */
static struct ir_val lower_incdec_value(struct lower *L, const struct ast *e)
{
	bool post = e->op == OP_POSTINC || e->op == OP_POSTDEC;
	int64_t step = e->op == OP_PREINC || e->op == OP_POSTINC ? 1 : -1;
	int before;
	if (e->a->kind == AST_VAR) {
		before = ir_vreg_new(L->f);
		lower_mov(L, before, lower_int(L, e->a), e->loc);
		lower_var_assign(L, e);
	} else {
		before = lower_map_update_value(L, e);
	}
	if (post)
		return ir_reg(before);
	return ir_reg(lower_binop(L, IR_ADD, ir_reg(before), ir_imm(step), e->loc));
}

struct ir_val lower_int(struct lower *L, const struct ast *e)
{
	switch (e->kind) {
	case AST_INT:
		return ir_imm(e->ival);
	case AST_BUILTIN:
	case AST_CALL:
		return lower_builtin(L, e);
	case AST_VAR:
		return ir_reg(L->var_vreg[e->sema_id]);
	case AST_MAP:
		return lower_map_read(L, e);
	case AST_CAST:
		return lower_cast(L, e);
	case AST_INDEX:
		return lower_memory_int(L, e);
	case AST_FIELD:
		if (e->a->kind == AST_BUILTIN && !strcmp(e->a->name, "args"))
			return args_int(L, e);
		if (e->field)
			return lower_memory_int(L, e);
		{ /* an integer element of a tuple */
			const struct eq_type *t;
			struct mem_ref r = lower_value_ref(L, e, &t);
			if (r.base >= 0)
				return ir_reg(lower_load(L, r.base, r.off, 8, false, e->loc));
			return ir_reg(lower_load_slot(L, r.slot, r.off, 8, e->loc));
		}
	case AST_TERNARY:
		return lower_ternary(L, e);
	case AST_INCDEC:
		return lower_incdec_value(L, e);
	case AST_UNARY:
		if (e->op == OP_DEREF)
			return lower_memory_int(L, e);
		if (e->op == OP_ADDROF)
			return lower_address_of(L, e);
		if (e->op == OP_NOT)
			return cond_value(L, e);
		if (e->op == OP_PLUS)
			return lower_int(L, e->a);
		{
			struct ir_val v = lower_int(L, e->a);
			if (v.kind == IRV_IMM)
				return ir_imm(e->op == OP_NEG ? (int64_t)(0 - (uint64_t)v.imm) : ~v.imm);
			if (e->op == OP_NEG)
				return ir_reg(lower_unop(L, IR_NEG, v, e->loc));
			return ir_reg(lower_binop(L, IR_XOR, v, ir_imm(-1), e->loc));
		}
	case AST_BINARY:
		if (is_cond_op(e->op))
			return cond_value(L, e);
		if ((e->op == OP_ADD || e->op == OP_SUB) &&
		    (e->a->type->kind == TY_PTR || e->b->type->kind == TY_PTR))
			return lower_pointer_arith(L, e);
		{
			struct ir_val a = lower_int(L, e->a), b = lower_int(L, e->b);
			bool is_signed = e->a->type->is_signed && e->b->type->is_signed;
			enum ir_op op = arith_op(e->op, is_signed);
			if ((op == IR_SHL || op == IR_SHR || op == IR_SAR) && b.kind == IRV_IMM)
				b.imm &= 63; /* BPF masks shift counts; the verifier rejects >= 64 */
			return lower_arith(L, op, a, b, e->loc);
		}
	default:
		lower_error(L, e->loc, "this expression has no integer value");
		return ir_imm(0);
	}
}

/* ---- conditions ----------------------------------------------------------- */

/* Branch to `equal` if the first n bytes of two strings match, else to
 * `differ`: 8 bytes at a time, the last word's extra bytes shifted out.  n
 * is at most the shorter's size; both are zero-padded to a multiple of 8,
 * so past a string's NUL its padding compares too, and a string that ends
 * earlier differs at its NUL. */
void lower_str_prefix_eq(struct lower *L, struct str_loc a, struct str_loc b, uint32_t n,
			 struct ir_block *equal, struct ir_block *differ, eq_loc loc)
{
	if (a.slot < 0 && b.slot < 0) {
		bool same = true;
		for (uint32_t i = 0; i < n && same; i++)
			same = (i < (uint32_t)a.len ? a.text[i] : 0) == (i < (uint32_t)b.len ? b.text[i] : 0);
		lower_jump(L, same ? equal : differ, loc);
		return;
	}
	if (a.slot < 0) {
		struct str_loc tmp = a;
		a = b, b = tmp;
	}
	for (uint32_t i = 0; i < n; i += 8) {
		uint32_t bytes = n - i < 8 ? n - i : 8;
		/* a last part of 1, 2 or 4 bytes is loaded as such (zero-extended,
		 * and a constant compared with it is often an immediate); of 3, 5,
		 * 6 or 7 a shift moves the bytes past n out of the word */
		uint8_t load = bytes == 1 || bytes == 2 || bytes == 4 ? (uint8_t)bytes : 8;
		int shift = load < 8 ? 0 : 64 - 8 * (int)bytes;
		struct ir_val va = ir_reg(lower_load_slot(L, a.slot, a.off + (int32_t)i, load, loc));
		struct ir_val vb;
		if (b.slot >= 0) {
			vb = ir_reg(lower_load_slot(L, b.slot, b.off + (int32_t)i, load, loc));
			if (shift)
				vb = lower_arith(L, IR_SHL, vb, ir_imm(shift), loc);
		} else {
			/* assembled unsigned: a byte >= 0x80 shifted into the top
			 * of a signed int64_t would be undefined behaviour */
			uint64_t chunk = 0;
			for (uint32_t j = 0; j < bytes && (int)(i + j) < b.len; j++)
				chunk |= (uint64_t)(unsigned char)b.text[i + j] << (8 * j);
			vb = ir_imm((int64_t)(chunk << shift));
		}
		if (shift)
			va = lower_arith(L, IR_SHL, va, ir_imm(shift), loc);
		struct ir_block *next = lower_block(L);
		lower_branch(L, IRC_NE, va, vb, differ, next, loc);
		lower_place(L, next);
	}
	lower_jump(L, equal, loc);
}

/* s1 == s2, s1 != s2: the strings compared over the shorter one. */
static void lower_str_eq(struct lower *L, const struct ast *e, struct ir_block *t, struct ir_block *f)
{
	bool eq = e->op == OP_EQ;
	struct str_loc a = lower_str(L, e->a), b = lower_str(L, e->b);
	uint32_t n = round8(a.size < b.size ? a.size : b.size);
	lower_str_prefix_eq(L, a, b, n, eq ? t : f, eq ? f : t, e->loc);
}

void lower_cond(struct lower *L, const struct ast *e, struct ir_block *t, struct ir_block *f)
{
	static const enum ir_cond conds[][2] = {
		[OP_EQ] = {IRC_EQ, IRC_EQ}, [OP_NE] = {IRC_NE, IRC_NE}, [OP_LT] = {IRC_ULT, IRC_SLT},
		[OP_LE] = {IRC_ULE, IRC_SLE}, [OP_GT] = {IRC_UGT, IRC_SGT}, [OP_GE] = {IRC_UGE, IRC_SGE},
	};
	if (e->kind == AST_UNARY && e->op == OP_NOT) {
		lower_cond(L, e->a, f, t);
		return;
	}
	if (e->kind == AST_BINARY && (e->op == OP_LAND || e->op == OP_LOR)) {
		struct ir_block *mid = lower_block(L);
		if (e->op == OP_LAND)
			lower_cond(L, e->a, mid, f);
		else
			lower_cond(L, e->a, t, mid);
		lower_place(L, mid);
		lower_cond(L, e->b, t, f);
		return;
	}
	/* a builtin that branches on its own result: `f(...)`, `f(...) == 0`, `f(...) != 0` */
	const struct ast *call = e;
	bool is_zero_test = false;
	if (e->kind == AST_BINARY && (e->op == OP_EQ || e->op == OP_NE) && e->b->kind == AST_INT &&
	    e->b->ival == 0) {
		call = e->a;
		is_zero_test = e->op == OP_EQ;
	}
	const struct builtin *b = call->kind == AST_CALL ? lower_builtin_of(call) : NULL;
	if (b && b->lower_cond) {
		b->lower_cond(L, call, is_zero_test ? f : t, is_zero_test ? t : f);
		return;
	}
	if (e->kind == AST_BINARY && e->op >= OP_EQ && e->op <= OP_GE) {
		if (e->a->type->kind == TY_STR || ty_is_chars(e->a->type)) {
			lower_str_eq(L, e, t, f);
			return;
		}
		if (ty_in_memory(e->a->type)) {
			lower_mem_eq(L, e, t, f);
			return;
		}
		struct ir_val a = lower_int(L, e->a), b = lower_int(L, e->b);
		bool is_signed = e->a->type->is_signed && e->b->type->is_signed;
		lower_branch(L, conds[e->op][is_signed], a, b, t, f, e->loc);
		return;
	}
	struct ir_val v = lower_int(L, e);
	if (v.kind == IRV_IMM)
		lower_jump(L, v.imm ? t : f, e->loc);
	else
		lower_branch(L, IRC_NE, v, ir_imm(0), t, f, e->loc);
}

/* ---- statements ---------------------------------------------------------------- */

static void lower_stmt(struct lower *L, const struct ast *st);

void lower_body(struct lower *L, const struct ast *block)
{
	for (int i = 0; i < block->list.count; i++) {
		/* temporaries live for one statement */
		uint32_t mark = L->f->frame_size, scratch_mark = L->scratch_size;
		lower_stmt(L, block->list.items[i]);
		L->f->frame_size = mark;
		L->scratch_size = scratch_mark;
	}
}

static void lower_var_assign(struct lower *L, const struct ast *st)
{
	const struct ast *lhs = st->a;
	int id = lhs->sema_id;
	const struct eq_type *t = lower_type_of(L, lhs);
	if (ty_in_memory(t)) {
		lower_value_into(L, st->b, t, L->var_slot[id], 0);
		return;
	}
	if (L->var_vreg[id] < 0)
		L->var_vreg[id] = ir_vreg_new(L->f);
	int d = L->var_vreg[id];
	if (st->kind == AST_INCDEC || st->op != OP_NONE) {
		bool inc = st->kind == AST_INCDEC && (st->op == OP_PREINC || st->op == OP_POSTINC);
		enum ir_op op = st->kind == AST_INCDEC ? (inc ? IR_ADD : IR_SUB)
				: arith_op(st->op, lhs->type->is_signed && st->b->type->is_signed);
		struct ir_val v = st->kind == AST_INCDEC ? ir_imm(1) : lower_int(L, st->b);
		if ((op == IR_SHL || op == IR_SHR || op == IR_SAR) && v.kind == IRV_IMM)
			v.imm &= 63; /* as in lower_int: BPF masks counts, the verifier rejects >= 64 */
		if (v.kind == IRV_IMM && v.imm == 0 && (op == IR_UDIV || op == IR_SDIV))
			v = ir_reg(d), op = IR_XOR; /* x /= 0 leaves 0, as BPF does */
		else if (v.kind == IRV_IMM && v.imm == 0 && (op == IR_UMOD || op == IR_SMOD))
			return;                     /* x %= 0 leaves x */
		/* A wide immediate needs its own CONST, which must come before
		 * the instruction that reads it (and emitting it may move the
		 * block's instructions, so no pointer is held across it). */
		struct ir_val b = lower_fit_imm(L, v, st->loc);
		struct ir_insn *in = lower_emit(L, op, st->loc);
		in->dst = d, in->a = ir_reg(d), in->b = b;
		return;
	}
	lower_mov(L, d, lower_int(L, st->b), st->loc);
}

void lower_return(struct lower *L, eq_loc loc)
{
	lower_jump(L, L->exit, loc);
	lower_place(L, lower_block(L)); /* unreachable: what follows is dropped */
}

static void lower_if(struct lower *L, const struct ast *st)
{
	struct ir_block *t = lower_block(L), *join = lower_block(L);
	struct ir_block *f = st->c ? lower_block(L) : join;
	lower_cond(L, st->a, t, f);
	lower_place(L, t);
	lower_body(L, st->b);
	lower_jump(L, join, st->loc);
	if (st->c) {
		lower_place(L, f);
		lower_stmt(L, st->c);
		lower_jump(L, join, st->loc);
	}
	lower_place(L, join);
}

static void lower_stmt(struct lower *L, const struct ast *st)
{
	switch (st->kind) {
	case AST_EXPR_STMT:
		if (st->a->kind == AST_CALL)
			lower_call_stmt(L, st->a);
		else if (st->a->kind == AST_INCDEC)
			lower_stmt(L, st->a);
		else if (st->a->type->kind == TY_INT)
			lower_int(L, st->a); /* evaluated for nothing: dead code goes later */
		break;
	case AST_INCDEC:
	case AST_ASSIGN:
		if (st->a->kind == AST_VAR)
			lower_var_assign(L, st);
		else
			lower_map_assign(L, st);
		break;
	case AST_IF:
		lower_if(L, st);
		break;
	case AST_BLOCK:
		lower_body(L, st);
		break;
	case AST_RETURN:
		lower_return(L, st->loc);
		break;
	case AST_WHILE:
		lower_while(L, st);
		break;
	case AST_UNROLL:
		lower_unroll(L, st);
		break;
	case AST_FOR:
		if (st->b->kind == AST_MAP)
			lower_for_map(L, st);
		else
			lower_for_range(L, st);
		break;
	case AST_BREAK:
	case AST_CONTINUE:
		lower_break_continue(L, st);
		break;
	default:
		lower_error(L, st->loc, "this statement is not supported yet");
	}
}

/* What set_up_vars finds in its one walk of a probe's body: per variable,
 * bits of `var`; and the variables' first appearances in the walk's
 * order.  Each variable gets its slot or register at one of those, in that
 * order (-d ir's numbering), and from that appearance's place in the
 * source: its first, or its first as a number (a number read early starts
 * as 0 there). */
enum var_seen {
	ASSIGNED = 1,      /* a plain assignment to it has run unconditionally */
	EARLY = 2,         /* it may be read before it is assigned */
	LISTED = 4,        /* in first_seen */
	LISTED_NUMBER = 8, /* in first_seen as a number */
};
struct var_setup {
	uint8_t *var;
	struct {
		const struct ast **items;
		int count, cap;
	} first_seen;
	struct arena *arena;
};

static bool read_early(const struct ast *node, void *arg)
{
	struct var_setup *vs = arg;
	if (node->kind == AST_VAR && !(vs->var[node->sema_id] & ASSIGNED))
		vs->var[node->sema_id] |= EARLY;
	return true;
}

/* One walk finds both what set_up_vars needs: which variables may be read
 * before they are assigned, and the order they first appear in.  Early
 * reads: sema lets `if (c) { $x = 1 } print($x)` through, and the path
 * that skips the assignment would read a register or stack bytes never
 * written, which the verifier refuses.  A variable is safe once a plain
 * assignment to it runs unconditionally: a statement of the probe's own
 * block (top_level), not one inside an if.  `reads` is false under the
 * target of such an assignment, which it writes and does not read.  (Two
 * walks, one for each, were 8% of compiling a long probe: the AST is
 * megabytes and each walk of it misses the cache.) */
static void find_vars(struct var_setup *vs, const struct ast *node, bool top_level, bool reads)
{
	if (!node)
		return;
	if (reads && node->kind == AST_FOR && node->b->kind == AST_MAP) /* lent to the callback */
		ast_visit(node->c, read_early, vs);
	if (node->kind == AST_VAR && node->sema_id >= 0) {
		uint8_t *var = &vs->var[node->sema_id];
		if (reads && !(*var & ASSIGNED))
			*var |= EARLY;
		bool number = node->type && ty_is_number(node->type);
		if (!(*var & LISTED) || (number && !(*var & LISTED_NUMBER))) {
			*var |= LISTED | (number ? LISTED_NUMBER : 0);
			ARENA_PUSH(vs->arena, vs->first_seen, node);
		}
	}
	bool plain_assign = node->kind == AST_ASSIGN && node->a && node->a->kind == AST_VAR &&
			    node->op == OP_NONE;
	bool block = node->kind == AST_BLOCK && top_level;
	find_vars(vs, node->a, false, reads && !plain_assign);
	find_vars(vs, node->b, false, reads);
	find_vars(vs, node->c, false, reads && !plain_assign);
	for (int i = 0; i < node->list.count; i++)
		find_vars(vs, node->list.items[i], block, reads && !plain_assign);
	if (plain_assign && top_level)
		vs->var[node->a->sema_id] |= ASSIGNED;
}

/* String variables get their frame slot up front, so a statement's
 * temporaries can be given back at its end without losing them; a
 * variable that may be read early (above) starts as 0 or "". */
static void set_up_vars(struct lower *L, const struct ast *body)
{
	struct arena *a = L->env->var_arena;
	struct var_setup vs = {.var = ARENA_ARRAY(a, uint8_t, L->env->info->vars.count + 1), .arena = a};
	find_vars(&vs, body, true, true);
	for (int i = 0; i < vs.first_seen.count; i++) {
		const struct ast *node = vs.first_seen.items[i];
		int id = node->sema_id;
		bool early = vs.var[id] & EARLY;
		const struct eq_type *t = &L->env->info->vars.items[id].type;
		if (L->var_use[id] & VAR_ENTRY) {
			/* a for-map loop's own: the callback's */
		} else if (ty_in_memory(t) && L->var_slot[id] < 0) {
			uint32_t size = ty_slot_size(t);
			L->var_slot[id] = L->var_use[id] & VAR_SHARED ? lower_scratch_slot(L, size)
					  : lower_slot(L, size);
			if (early)
				lower_zero(L, L->var_slot[id], 0, size, node->loc);
		} else if (node->type && ty_is_number(node->type) && early && L->var_vreg[id] < 0) {
			L->var_vreg[id] = ir_vreg_new(L->f);
			lower_mov(L, L->var_vreg[id], ir_imm(0), node->loc);
		}
	}
}

/* A function that keeps slots in the scratch map starts by finding its
 * program's region there: a lookup of the per-CPU array's only entry,
 * before anything else but taking its arguments (the context, a
 * callback's key...), which must come first.  A callback's region is its
 * program's: the program's region is taken (env->scratch_used moves on)
 * when the program is done. */
void lower_scratch_prologue(struct lower *L, struct ir_block *on_failure, eq_loc loc)
{
	struct ir_func *f = L->f;
	struct ir_block *body = f->blocks.items[0];
	int nargs = 0;
	while (nargs < body->insns.count &&
	       (body->insns.items[nargs].op == IR_CTX || body->insns.items[nargs].op == IR_ARG))
		nargs++;
	struct ir_insn *args = ARENA_ARRAY(L->arena, struct ir_insn, nargs + 1);
	memcpy(args, body->insns.items, sizeof(*args) * (size_t)nargs);
	body->insns.count -= nargs;
	memmove(body->insns.items, body->insns.items + nargs, sizeof(*args) * (size_t)body->insns.count);
	struct ir_block *entry = lower_block(L), *found = lower_block(L);
	int first = f->blocks.count;
	lower_place(L, entry);
	for (int i = 0; i < nargs; i++)
		*lower_emit(L, args[i].op, loc) = args[i];
	int key = ir_slot_new(L->arena, f, 8, false);
	lower_store(L, key, 0, 8, ir_imm(0), loc);
	int map = lower_map_addr(L, L->env->scratch_map, loc);
	int p = lower_call(L, BPF_FUNC_map_lookup_elem, loc, 2, ir_reg(map),
			   ir_reg(lower_frame_addr(L, key, 0, loc)));
	lower_branch(L, IRC_EQ, ir_reg(p), ir_imm(0), on_failure, found, loc);
	lower_place(L, found);
	struct ir_insn *base = lower_emit(L, IR_ADD, loc);
	base->dst = L->scratch_vreg, base->a = ir_reg(p), base->b = ir_imm(L->env->scratch_used);
	lower_jump(L, body, loc);
	/* the two new blocks go first */
	struct ir_block *moved[2] = {f->blocks.items[first], f->blocks.items[first + 1]};
	memmove(f->blocks.items + 2, f->blocks.items, sizeof(moved[0]) * (size_t)first);
	f->blocks.items[0] = moved[0], f->blocks.items[1] = moved[1];
}

void lower_begin(struct lower *L, struct lower_env *env, const struct attach_point *ap,
		 const char *name, eq_loc loc)
{
	struct lower_program *prog = ARENA_NEW(env->arena, struct lower_program);
	*L = (struct lower){.env = env, .arena = env->arena, .ap = ap, .prog = prog, .scratch_vreg = -1,
			    .stack_slot_max = STACK_SLOT_MAX};
	/* The tables by variable are as long as the script has variables,
	 * not the probe: they are needed only while the probe is lowered, and
	 * come from env->var_arena, emptied here for each probe (the passes
	 * after lowering empty it for themselves).  In the IR's arena, 2,000
	 * small probes kept 2,000 of them, 64 MB. */
	arena_reset(env->var_arena);
	int nvars = env->info->vars.count;
	L->var_vreg = ARENA_ARRAY(env->var_arena, int, nvars + 1);
	L->var_slot = ARENA_ARRAY(env->var_arena, int, nvars + 1);
	for (int i = 0; i < nvars; i++)
		L->var_vreg[i] = L->var_slot[i] = -1;
	L->var_use = ARENA_ARRAY(env->var_arena, uint8_t, nvars + 1); /* no for-map loops: all 0 */
	L->f = prog->main = ir_func_new(env->arena, name);
	prog->continue_subprog = -1;
	lower_place(L, lower_block(L));
	L->exit = lower_block(L);
	struct ir_insn *ctx = lower_emit(L, IR_CTX, loc);
	ctx->dst = L->ctx = ir_vreg_new(L->f);
}

void lower_pid_filter(struct lower *L, eq_loc loc)
{
	const struct attach_point *ap = L->ap;
	struct lower_env *env = L->env;
	int filter_pid = ap->attach == EQ_ATTACH_BEGIN || ap->attach == EQ_ATTACH_END ? 0
			 : env->filter_pid ? env->filter_pid : ap->user ? env->child_pid : 0;
	if (env->aot && ap->attach != EQ_ATTACH_BEGIN && ap->attach != EQ_ATTACH_END) {
		/* ahead of time: the pid is the data map's word, 0 for none */
		struct ir_block *body = lower_block(L), *check = lower_block(L);
		int word = lower_load(L, lower_data_addr(L, ap->user ? DROPS_VALUE_USER_PID
								  : DROPS_VALUE_FILTER_PID, loc),
				      0, 8, false, loc);
		lower_branch(L, IRC_EQ, ir_reg(word), ir_imm(0), body, check, loc);
		lower_place(L, check);
		int v = lower_call(L, BPF_FUNC_get_current_pid_tgid, loc, 0);
		int pid = lower_binop(L, IR_SHR, ir_reg(v), ir_imm(32), loc);
		lower_branch(L, IRC_EQ, ir_reg(pid), ir_reg(word), body, L->exit, loc);
		lower_place(L, body);
	} else if (filter_pid) {
		/* -p PID, or -c for user probes: the probe fires for everyone, the
		 * program returns early for other processes */
		struct ir_block *body = lower_block(L);
		int v = lower_call(L, BPF_FUNC_get_current_pid_tgid, loc, 0);
		int pid = lower_binop(L, IR_SHR, ir_reg(v), ir_imm(32), loc);
		lower_branch(L, IRC_EQ, ir_reg(pid), ir_imm(filter_pid), body, L->exit, loc);
		lower_place(L, body);
	}
}

struct ir_func *lower_end(struct lower *L, eq_loc loc)
{
	lower_jump(L, L->exit, loc);
	lower_place(L, L->exit);
	lower_emit(L, IR_RET, loc)->a = ir_imm(0);
	if (L->scratch_vreg >= 0)
		lower_scratch_prologue(L, L->exit, loc);
	L->env->scratch_used += L->scratch_max; /* its callbacks' scratch included */
	L->f->frame_size = L->f->frame_max;
	return L->failed ? NULL : L->f;
}

struct ir_func *lower_probe(struct lower_env *env, const struct ast *probe,
			    const struct attach_point *ap, const char *name)
{
	struct lower L;
	lower_begin(&L, env, ap, name, probe->loc);
	if (env->info->has_map_loops)
		lower_find_loop_vars(probe->b, L.var_use);
	set_up_vars(&L, probe->b);
	lower_pid_filter(&L, probe->loc);
	if (probe->a) {
		struct ir_block *body = lower_block(&L);
		lower_cond(&L, probe->a, body, L.exit);
		lower_place(&L, body);
	}
	lower_body(&L, probe->b);
	return lower_end(&L, probe->loc);
}
