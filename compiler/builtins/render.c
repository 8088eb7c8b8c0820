/* render.c - values the program takes raw and user space prints as text
 * (TY_TEXT): ntop(), username, cgroup_path(), strftime(), buf().
 *
 * A BPF program cannot format an address, look a name up in /etc/passwd
 * or walk /sys/fs/cgroup, and need not: it stores the raw value, and the
 * runtime (runtime/format_render.c) writes the text wherever the value is
 * printed: printf's %s (buf's %r), print(), a map key or value, a tuple.
 * In memory:
 *   ntop        {u64 family, u8 addr[16]}   AF_INET: addr[0..3]
 *   username    u64 uid
 *   cgroup_path u64 cgroup id               the filter in the type's name
 *   strftime    u64 ns since boot           the format in the type's name
 *   buf         {u64 length, u8 bytes[N]}
 */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <string.h>

#include <linux/bpf.h>

#include "builtins.h"
#include "lower.h"
#include "sema.h"

enum { AF_INET_NUMBER = 2, AF_INET6_NUMBER = 10 }; /* Linux's AF_INET, AF_INET6 */
enum { INET_SIZE = 24, BUF_MAX = 1024 };

/* ---- ntop ------------------------------------------------------------------ */

/* An address ntop() takes: an integer (IPv4, as it is in memory), or 4 or
 * 16 bytes of memory (an array, an in6_addr). */
static bool inet_bytes(const struct eq_type *t)
{
	return (t->kind == TY_ARRAY || t->kind == TY_RECORD) && (t->size == 4 || t->size == 16);
}

/* ntop(addr), ntop(af, addr) */
static const struct eq_type *check_ntop(struct sema *s, struct ast *call)
{
	struct ast *addr = call->list.items[call->list.count - 1];
	if (call->list.count == 2)
		sema_int_arg(s, call, 0);
	const struct eq_type *t = sema_expr(s, addr);
	if (t->kind != TY_NONE && !ty_is_number(t) && !inet_bytes(t))
		sema_error(s, addr->loc, "ntop() takes an IPv4 address as an integer, or 4 or 16 bytes "
			   "(an IPv4 or IPv6 address, as args->daddr), not %s", sema_type_name(s, t));
	return ty_text(s->arena, TEXT_INET, INET_SIZE, NULL);
}

static void lower_ntop(struct lower *L, const struct ast *call, int slot, int32_t off, uint32_t size)
{
	const struct ast *addr = call->list.items[call->list.count - 1];
	eq_loc loc = call->loc;
	struct ir_val family = call->list.count == 2 ? lower_int(L, call->list.items[0])
			     : ir_imm(addr->type->size == 16 ? AF_INET6_NUMBER : AF_INET_NUMBER);
	lower_store(L, slot, off, 8, family, loc);
	lower_zero(L, slot, off + 8, 16, loc);
	if (inet_bytes(addr->type))
		lower_value_into(L, addr, addr->type, slot, off + 8);
	else /* the integer's low 4 bytes, which are the address as it was in memory */
		lower_store(L, slot, off + 8, 4, lower_int(L, addr), loc);
}

/* ---- username, cgroup_path, strftime ------------------------------------------ */

static const struct eq_type *check_username(struct sema *s, struct ast *e)
{
	return ty_text(s->arena, TEXT_USERNAME, 8, NULL);
}

static void lower_username(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	int ids = lower_call(L, BPF_FUNC_get_current_uid_gid, e->loc, 0);
	lower_store(L, slot, off, 8, ir_reg(lower_binop(L, IR_AND, ir_reg(ids), ir_imm(0xffffffff), e->loc)),
		    e->loc);
}

/* cgroup_path(id[, "filter"]): the filter names hierarchies (wildcards,
 * comma-separated), as bpftrace's */
static const struct eq_type *check_cgroup_path(struct sema *s, struct ast *call)
{
	sema_int_arg(s, call, 0);
	const char *filter = call->list.count == 2
			   ? sema_literal_arg(s, call, 1, "a string literal here, as in cgroup_path(cgroup, "
					       "\"unified,cpu*\")") : NULL;
	return ty_text(s->arena, TEXT_CGROUP, 8, filter);
}

/* strftime("format", ns) */
static const struct eq_type *check_strftime(struct sema *s, struct ast *call)
{
	const char *format = sema_literal_arg(s, call, 0, "a string literal here, as in "
					      "strftime(\"%H:%M:%S\", nsecs)");
	sema_int_arg(s, call, 1);
	return ty_text(s->arena, TEXT_TIME, 8, format ? format : "");
}

/* cgroup_path's id, its first argument; strftime's time, its second */
static void lower_cgroup_path(struct lower *L, const struct ast *call, int slot, int32_t off,
			      uint32_t size)
{
	lower_store(L, slot, off, 8, lower_int(L, call->list.items[0]), call->loc);
}

static void lower_strftime(struct lower *L, const struct ast *call, int slot, int32_t off, uint32_t size)
{
	lower_store(L, slot, off, 8, lower_int(L, call->list.items[1]), call->loc);
}

/* ---- buf ---------------------------------------------------------------------- */

/* buf(p, n), buf(array[, n]): up to n bytes.  A constant n is the size;
 * otherwise the array's size or --strlen, as bpftrace's. */
static const struct eq_type *check_buf(struct sema *s, struct ast *call)
{
	struct ast *p = call->list.items[0];
	const struct eq_type *t = sema_expr(s, p);
	bool array = t->kind == TY_ARRAY;
	if (t->kind != TY_NONE && !ty_is_number(t) && !array && t->kind != TY_STR)
		sema_error(s, p->loc, "buf() reads from an address or an array, not %s", sema_type_name(s, t));
	if (call->list.count == 1 && !array && t->kind != TY_STR && t->kind != TY_NONE) {
		sema_error(s, call->loc, "buf() of an address takes its length: buf(p, n)");
		return &ty_none;
	}
	uint32_t size = array || t->kind == TY_STR ? t->size : s->info->strlen;
	if (call->list.count == 2) {
		int64_t n;
		struct ast *len = call->list.items[1];
		if (!sema_int_arg(s, call, 1))
			return &ty_none;
		if (sema_const_int(s, len, &n)) {
			if (n < 1 || n > BUF_MAX) {
				sema_error(s, len->loc, "buf()'s length must be from 1 to %d, not %lld", BUF_MAX,
					   (long long)n);
				return &ty_none;
			}
			if (!array && t->kind != TY_STR) /* an array is copied whole, n bytes printed */
				size = (uint32_t)n;
		}
	}
	if (size > BUF_MAX)
		size = BUF_MAX;
	return ty_text(s->arena, TEXT_BUF, 8 + ((size + 7) & ~7u), NULL);
}

/* len, or max where len is more (unsigned): in a register the verifier
 * sees bounded, for a helper's size */
static struct ir_val at_most(struct lower *L, struct ir_val len, uint32_t max, eq_loc loc)
{
	if (len.kind == IRV_IMM)
		return (uint64_t)len.imm > max ? ir_imm(max) : len;
	int n = ir_vreg_new(L->f);
	struct ir_block *over = lower_block(L), *join = lower_block(L);
	lower_mov(L, n, len, loc);
	lower_branch(L, IRC_ULE, ir_reg(n), ir_imm(max), join, over, loc);
	lower_place(L, over);
	lower_mov(L, n, ir_imm(max), loc);
	lower_jump(L, join, loc);
	lower_place(L, join);
	return ir_reg(n);
}

static void lower_buf(struct lower *L, const struct ast *call, int slot, int32_t off, uint32_t size)
{
	const struct ast *p = call->list.items[0];
	eq_loc loc = call->loc;
	uint32_t cap = call->type->size - 8; /* what this buf() holds at most (padded) */
	uint32_t room = size > 8 ? size - 8 : 0; /* the place it goes to may be bigger */
	struct ir_val len = call->list.count == 2 ? lower_int(L, call->list.items[1]) : ir_imm(cap);
	lower_zero(L, slot, off + 8, room, loc);
	if (p->type->kind == TY_ARRAY || p->type->kind == TY_STR) {
		/* the array's bytes, then the length: n, but not past the array */
		lower_value_into(L, p, p->type, slot, off + 8);
		lower_store(L, slot, off, 8, at_most(L, len, p->type->size < cap ? p->type->size : cap, loc),
			    loc);
		return;
	}
	enum ty_space space = p->type->space;
	int helper = space == SPACE_USER ? BPF_FUNC_probe_read_user
		   : space == SPACE_KERNEL && p->type->kind == TY_PTR ? BPF_FUNC_probe_read_kernel
		   : BPF_FUNC_probe_read;
	struct ir_val src = lower_int(L, p);
	int dst = lower_frame_addr(L, slot, off + 8, loc);
	len = at_most(L, len, cap, loc);
	lower_call(L, helper, loc, 3, ir_reg(dst), len, src);
	lower_store(L, slot, off, 8, len, loc);
}

const struct builtin builtins_render[] = {
	BUILTIN_FUNCTION("ntop", 1, 2, check_ntop, .lower_into = lower_ntop),
	{.name = "username", .kind = BUILTIN_VAR, .check = check_username, .lower_into = lower_username},
	BUILTIN_FUNCTION("cgroup_path", 1, 2, check_cgroup_path, .lower_into = lower_cgroup_path),
	BUILTIN_FUNCTION("strftime", 2, 2, check_strftime, .lower_into = lower_strftime),
	BUILTIN_FUNCTION("buf", 1, 2, check_buf, .lower_into = lower_buf),
	{0},
};
