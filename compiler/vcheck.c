/* vcheck.c - our own check of the kernel verifier's main rules, run over
 * every program the compiler emits, before any kernel sees it.
 *
 * Two passes, as the kernel's check_cfg() and do_check():
 *
 *  1. Structure: every opcode is one we know, every jump lands inside the
 *     program and not in the middle of a 64-bit load, nothing falls off the
 *     end, and every instruction is reachable (the kernel refuses dead code).
 *
 *  2. An abstract interpretation: each register holds a kind (uninitialised,
 *     scalar, context, frame pointer + offset, map, map value, map value or
 *     NULL, ...), each stack byte is written or not, and a forward pass
 *     follows both sides of every branch.  Where paths meet, states are
 *     merged conservatively (written on one path only: unwritten; different
 *     kinds: K_MIXED, which nothing may dereference).  The kernel instead
 *     explores paths apart, so we may refuse what it would take - never the
 *     other way round, which is the direction that matters.  Programs are
 *     swept in instruction order until no state changes: a loop-free
 *     program settles in one sweep, a back edge in a few (the lattice is
 *     finite), and MAX_SWEEPS turns anything else into an internal error.
 *
 * Subprograms are helpers' callbacks: bpf_for_each_map_elem's, entered
 * from the call that passes them with the registers the kernel gives them
 * (set_map_elem_callback_state: r1 the map, r2 its key, r3 its value, r4
 * the caller's r3 - here a pointer into the caller's stack, whose bytes
 * the callback may read where the caller wrote them before the call).
 * Each must return 0 or 1, and the stacks of a program and the callbacks
 * it calls, each rounded up to 32 bytes, must fit in 512 together.
 *
 * A rule broken here is a compiler bug: it is reported as an internal error
 * at the script line the instruction came from, naming the instruction, so
 * the user can report it and nobody has to read a verifier log.  Each
 * instruction is reported once; a path stops at its first error.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "helpers.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (Linux 6.6); not in 6.1's headers */
#endif

enum {
	STACK = 512,       /* bytes of stack a program has */
	SLOTS = STACK / 8, /* 8-byte slots a register can be spilled to */
	MAX_SWEEPS = 32,   /* passes over a program with back edges before giving up */
	MAX_OPEN = 8,      /* ring buffer reservations outstanding at once */
};

enum kind {
	K_UNINIT,        /* never written, or clobbered by a call */
	K_SCALAR,        /* a number; `off` is its value when `known` */
	K_CTX,           /* the program's context (r1 at entry) + off */
	K_FP,            /* the frame pointer r10 + off */
	K_MAP,           /* a map (ld_imm64 of a map fd): only helpers take it */
	K_VALUE,         /* a map value + off */
	K_VALUE_OR_NULL, /* map_lookup_elem's result before the NULL check */
	K_RB,            /* ring buffer memory from ringbuf_reserve + off */
	K_RB_OR_NULL,    /* ringbuf_reserve's result before the NULL check */
	K_FUNC,          /* a subprogram (ld_imm64 of a pseudo func): off is its start;
	                    only a helper that calls it back takes it */
	K_KEY,           /* a callback's map key + off: read-only, key_size bytes */
	K_CALLER,        /* a callback's pointer into its caller's stack: off is from
	                    the caller's frame pointer */
	K_MIXED,         /* different kinds on different paths */
};

struct vreg {
	enum kind kind;
	bool known;    /* off is exact */
	int map;       /* K_MAP, K_VALUE*: index into the image's maps; else -1 */
	uint32_t id;   /* K_*_OR_NULL, K_RB: 1 + index of the call that returned it,
	                  so a NULL check or ringbuf_submit reaches every copy;
	                  K_UNINIT: 1 + index of the call that clobbered it, or 0 */
	uint32_t size; /* K_RB*: bytes reserved */
	int64_t off;
	/* K_SCALAR not known: at most umax (unsigned) if bounded, as a branch
	 * on it proved (`if r <= 64`): enough for a helper's size */
	bool bounded;
	uint64_t umax;
};

struct vstate {
	struct vreg r[11];
	struct vreg slot[SLOTS];   /* what a spilled register left in each 8-byte slot */
	uint64_t init[STACK / 64]; /* bit b: byte fp-512+b has been written */
	uint32_t open[MAX_OPEN];   /* ids of reservations not yet submitted or discarded */
	int nopen;
	/* In a callback, the caller's stack as the helper call lent it: the
	 * bytes from caller_lent up to its frame pointer, those written
	 * (caller_init, with what the callback writes there), and which
	 * 8-byte slots hold the caller's context (caller_ctx) or another
	 * pointer (caller_ptr), as its spills left them. */
	int64_t caller_lent;
	uint64_t caller_init[STACK / 64];
	uint64_t caller_ctx, caller_ptr;
};

struct vcheck {
	const struct eq_image *img;
	const struct eq_prog *p;
	struct eq_diag *diag;
	struct arena *scratch; /* every table below: see vcheck_prog() */
	/* The merged state at an instruction's entry is pool[state_of[i]].  A
	 * program no state can flow back in is followed in one sweep: each
	 * instruction is reached from below only, so its state is needed from
	 * the first path that reaches it until it is followed, and its place
	 * in the pool is then free for another.  The pool holds as many states
	 * as there are paths open at once, not one per instruction (a state is
	 * 4 KB, a long probe 100,000 instructions).  When a state can flow
	 * back (a back edge, a callback placed before its call) every state
	 * is kept, as a later sweep merges into it again (make_pool). */
	struct vstate *pool;
	uint32_t npool;
	int pool_cap;
	uint32_t *free_states, nfree; /* places in the pool no state holds */
	int32_t *state_of; /* per instruction, once seen: its state in the pool, -1 once let go */
	bool keep_states;  /* states can flow back: keep every state */
	int32_t moving;    /* the state the instruction being followed works on, in the
	                      pool, while it has not been handed on; -1 for none */
	bool *seen;        /* instruction i has been reached */
	bool *pending;     /* its state changed since instruction i was last followed */
	bool *reported;    /* instruction i already has its error */
	bool *second;      /* instruction i is the second half of a 64-bit load */
	/* Where control goes after instruction i, once check_structure has
	 * found every place in the program: nnext[i] places (0-2),
	 * next[2 * i ...], as successors() gives them; and whether any of
	 * them is at or before the instruction it comes from. */
	uint8_t *nnext;
	uint32_t *next;
	bool goes_back;
	const struct eq_map_ref **ref; /* instruction i's map reference, or NULL; NULL
	                                   itself where eq_prog_ref_at finds them */
	uint32_t *depth;   /* per function: the deepest stack byte it touches */
	/* Slots below slot_lo hold a number, as they start, in every state: no
	 * register was ever spilled there.  Copies, merges and the walks over
	 * slots start at it (a long probe's states were copied and merged at
	 * every branch, 75 registers' worth each: bench/compiletime.sh). */
	int slot_lo;
	bool *names;       /* names[f * (nfuncs + 1) + g]: function f loads g's address */
	int errors;
};

static const struct vreg uninit = {K_UNINIT, false, -1, 0, 0, 0};

static struct vreg scalar(bool known, int64_t value)
{
	return (struct vreg){K_SCALAR, known, -1, 0, 0, value};
}

/* *to = *from, but for the slots below slot_lo, which hold a number as they
 * start in both: every state does, on the stack or in the pool */
static void copy_state(const struct vcheck *v, struct vstate *to, const struct vstate *from)
{
	memcpy(to->r, from->r, sizeof(to->r));
	memcpy(&to->slot[v->slot_lo], &from->slot[v->slot_lo],
	       sizeof(to->slot[0]) * (size_t)(SLOTS - v->slot_lo));
	memcpy(to->init, from->init, sizeof(*to) - offsetof(struct vstate, init));
}

static bool is_zero(const struct vreg *r)
{
	return r->kind == K_SCALAR && r->known && r->off == 0;
}

/* ---- reporting ------------------------------------------------------------- */

static eq_loc loc_of(const struct eq_prog *p, uint32_t i)
{
	eq_loc loc = {(int)p->line, (int)p->col, 1};
	for (uint32_t k = 0; k < p->nlines && p->lines[k].insn_off <= i; k++)
		loc = (eq_loc){(int)p->lines[k].line, (int)p->lines[k].col, 1};
	return loc;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct vcheck *v, uint32_t i, const char *fmt, ...)
{
	v->errors++;
	if (v->reported[i])
		return;
	v->reported[i] = true;
	char text[128] = "", rule[256];
	FILE *mem = fmemopen(text, sizeof(text) - 1, "w");
	if (mem) {
		bpf_insn_print(mem, v->p->insns, i, v->p->ninsns);
		fclose(mem);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);
	diag_error(v->diag, loc_of(v->p, i), "internal error: instruction %u (%s) %s", i, text, rule);
}

static bool readable(struct vcheck *v, uint32_t i, const struct vstate *s, int reg)
{
	const struct vreg *r = &s->r[reg];
	if (r->kind != K_UNINIT)
		return true;
	if (r->id)
		fail(v, i, "reads r%d after the helper call at instruction %u clobbered it", reg, r->id - 1);
	else
		fail(v, i, "reads r%d before it is written", reg);
	return false;
}

static bool writable(struct vcheck *v, uint32_t i, int reg)
{
	if (reg != BPF_REG_10)
		return true;
	fail(v, i, "writes to the read-only frame pointer r10");
	return false;
}

/* ---- pass 1: structure --------------------------------------------------------- */

static bool valid_jmp_op(int op, bool j32)
{
	switch (op) {
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET: case BPF_JNE:
	case BPF_JSGT: case BPF_JSGE: case BPF_JLT: case BPF_JLE: case BPF_JSLT: case BPF_JSLE:
	case BPF_JA:
		return true;
	case BPF_CALL:
	case BPF_EXIT:
		return !j32;
	default:
		return false;
	}
}

/* The fields an instruction does not use must be zero, or the kernel
 * refuses it ("BPF_ALU uses reserved fields"). */
static bool reserved_zero(const struct bpf_insn *in)
{
	int op = BPF_OP(in->code), cls = BPF_CLASS(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_NEG)
			return !in->src_reg && !in->off && !in->imm;
		if (op == BPF_END)
			return !in->src_reg && !in->off && (in->imm == 16 || in->imm == 32 || in->imm == 64);
		if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
			return x ? !in->imm : !in->src_reg;
		if (op == BPF_MOV && x && (in->off == 8 || in->off == 16 || (in->off == 32 && cls == BPF_ALU64)))
			return !in->imm;
		return !in->off && (x ? !in->imm : !in->src_reg);
	case BPF_LDX:
		return !in->imm;
	case BPF_ST:
		return !in->src_reg;
	case BPF_STX:
		return BPF_MODE(in->code) == BPF_ATOMIC || !in->imm;
	case BPF_LD:
		return !in->off;
	default:
		if (op == BPF_EXIT)
			return !in->dst_reg && !in->src_reg && !in->off && !in->imm;
		if (op == BPF_CALL)
			return !in->dst_reg && !in->off;
		if (op == BPF_JA)
			return !in->dst_reg && !in->src_reg && (cls == BPF_JMP ? !in->imm : !in->off);
		return x ? !in->imm : !in->src_reg;
	}
}

/* Is this an instruction the kernel knows and we model?  (Packet loads,
 * BPF_NOSPEC and the like are not.) */
static bool valid_insn(const struct bpf_insn *in)
{
	int mode = BPF_MODE(in->code), op = BPF_OP(in->code), sz = BPF_SIZE(in->code);
	if (in->dst_reg > 10 || (in->src_reg > 10 && BPF_CLASS(in->code) != BPF_LD &&
				 BPF_OP(in->code) != BPF_CALL))
		return false;
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return op <= BPF_END;
	case BPF_LDX:
		return mode == BPF_MEM || (mode == BPF_MEMSX && sz != BPF_DW);
	case BPF_ST:
		return mode == BPF_MEM;
	case BPF_STX:
		return mode == BPF_MEM || (mode == BPF_ATOMIC && (sz == BPF_W || sz == BPF_DW));
	case BPF_LD:
		return in->code == (BPF_LD | BPF_DW | BPF_IMM);
	default:
		return valid_jmp_op(op, BPF_CLASS(in->code) == BPF_JMP32);
	}
}

/* Where control goes after instruction i: returns how many places (0-2);
 * next[0] is the fall-through when there is one. */
static int successors(const struct bpf_insn *in, uint32_t i, int64_t next[2], bool *falls)
{
	int op = BPF_OP(in->code);
	bool jmp = BPF_CLASS(in->code) == BPF_JMP || BPF_CLASS(in->code) == BPF_JMP32;
	*falls = true;
	if (in->code == (BPF_LD | BPF_DW | BPF_IMM)) {
		next[0] = (int64_t)i + 2;
		return 1;
	}
	if (!jmp || op == BPF_CALL) {
		next[0] = (int64_t)i + 1;
		return 1;
	}
	if (op == BPF_EXIT)
		return 0;
	if (op == BPF_JA) {
		*falls = false;
		/* gotol (JMP32 | JA) keeps its offset in imm */
		next[0] = (int64_t)i + 1 + (BPF_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off);
		return 1;
	}
	next[0] = (int64_t)i + 1;
	next[1] = (int64_t)i + 1 + in->off;
	return 2;
}

/* The function (0: the program, 1..: its subprograms) instruction i is in,
 * and where that function ends. */
static uint32_t function_of(const struct eq_prog *p, uint32_t i, uint32_t *end)
{
	uint32_t f = 0;
	while (f < p->nfuncs && p->func_starts[f] <= i)
		f++;
	*end = f < p->nfuncs ? p->func_starts[f] : p->ninsns;
	return f;
}

static void check_edge(struct vcheck *v, uint32_t i, int64_t to, bool falls)
{
	uint32_t n = v->p->ninsns, end, f = function_of(v->p, i, &end);
	uint32_t start = f ? v->p->func_starts[f - 1] : 0;
	if (falls && to == (int64_t)end)
		fail(v, i, "falls off the end of the %s: the last instruction must be exit or goto",
		     f ? "subprogram" : "program");
	else if (to < 0 || to >= (int64_t)n)
		fail(v, i, "jumps to instruction %" PRId64 ", outside the program's %u instructions", to, n);
	else if (to < (int64_t)start || to >= (int64_t)end)
		fail(v, i, "jumps to instruction %" PRId64 ", in another function", to);
	else if (v->second[to])
		fail(v, i, "jumps into the middle of the 64-bit load at instruction %" PRId64, to - 1);
}

/* Opcodes, jump targets and 64-bit loads of every instruction, then
 * reachability from the first. */
static void check_structure(struct vcheck *v, uint32_t *stack)
{
	const struct bpf_insn *insns = v->p->insns;
	uint32_t n = v->p->ninsns;
	for (uint32_t i = 0; i < n; i++) {
		if (!valid_insn(&insns[i]))
			fail(v, i, "is not an instruction this compiler emits (opcode 0x%02x)", insns[i].code);
		else if (!reserved_zero(&insns[i]))
			fail(v, i, "has a field that its opcode does not use set: the kernel wants it 0");
		else if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) && i + 1 >= n)
			fail(v, i, "is a 64-bit load cut off by the end of the program");
		else if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) && (insns[i + 1].code ||
			 insns[i + 1].dst_reg || insns[i + 1].src_reg || insns[i + 1].off))
			fail(v, i, "is a 64-bit load whose second half is not empty");
		else if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM))
			v->second[++i] = true;
	}
	if (v->errors)
		return;
	for (uint32_t i = 0; i < n; i++) {
		int64_t next[2];
		bool falls;
		int k = v->second[i] ? 0 : successors(&insns[i], i, next, &falls);
		v->nnext[i] = (uint8_t)k;
		for (int e = 0; e < k; e++) {
			check_edge(v, i, next[e], falls && e == 0);
			v->next[2 * i + e] = (uint32_t)next[e]; /* used only if all are in the program */
			v->goes_back |= next[e] <= (int64_t)i;
		}
	}
	if (v->errors)
		return;
	/* depth first over the edges, both sides of every branch, from the
	 * start of every function */
	uint32_t top = 0;
	stack[top++] = 0;
	v->seen[0] = true;
	for (uint32_t f = 0; f < v->p->nfuncs; f++) {
		uint32_t at = v->p->func_starts[f];
		if (at <= 0 || at >= n || v->second[at] || (f && at <= v->p->func_starts[f - 1])) {
			fail(v, 0, "has a subprogram at instruction %u, which is not where one can start", at);
			return;
		}
		stack[top++] = at;
		v->seen[at] = true;
	}
	while (top > 0) {
		uint32_t i = stack[--top];
		for (int e = 0; e < v->nnext[i]; e++) {
			uint32_t to = v->next[2 * i + e];
			if (!v->seen[to]) {
				v->seen[to] = true;
				stack[top++] = to;
			}
		}
	}
	bool dead = false; /* report the first instruction of each unreachable run */
	for (uint32_t i = 0; i < n; i++) {
		if (v->second[i])
			continue;
		if (!v->seen[i] && !dead)
			fail(v, i, "can never run: the kernel refuses unreachable instructions");
		dead = !v->seen[i];
	}
	memset(v->seen, 0, n * sizeof(*v->seen));
}

/* ---- the stack --------------------------------------------------------------- */

static bool byte_written(const struct vstate *s, int64_t fp_off)
{
	int64_t b = STACK + fp_off;
	return s->init[b / 64] >> (b % 64) & 1;
}

/* Range only, for helpers' memory: the kernel wants no alignment there. */
static bool stack_range(struct vcheck *v, uint32_t i, const struct vreg *base, int64_t off,
			int64_t size, int64_t *start)
{
	if (!base->known) {
		fail(v, i, "uses the stack at an offset that is not known");
		return false;
	}
	*start = base->off + off;
	if (*start < -STACK || *start + size > 0) {
		fail(v, i, "accesses the stack at fp%+" PRId64 ", outside its 512 bytes", *start);
		return false;
	}
	uint32_t end, f = function_of(v->p, i, &end);
	if ((uint32_t)-*start > v->depth[f]) /* the kernel's stack_depth of the function */
		v->depth[f] = (uint32_t)-*start;
	return true;
}

static bool stack_written(struct vcheck *v, uint32_t i, const struct vstate *s, int64_t start,
			  int64_t size, const char *what)
{
	for (int64_t b = start; b < start + size; b++)
		if (!byte_written(s, b)) {
			fail(v, i, "%s stack byte fp%+" PRId64 " before it is written", what, b);
			return false;
		}
	return true;
}

/* Mark bytes written; a spill of a whole register to an aligned slot keeps
 * what the register held, anything else leaves a number. */
static void stack_store(struct vcheck *v, struct vstate *s, int64_t start, int64_t size,
			const struct vreg *value)
{
	for (int64_t b = STACK + start; b < STACK + start + size; b++)
		s->init[b / 64] |= 1ull << (b % 64);
	int64_t first = (STACK + start) / 8, last = (STACK + start + size - 1) / 8;
	for (int64_t k = first; k <= last; k++)
		s->slot[k] = scalar(false, 0);
	if (value && size == 8 && (STACK + start) % 8 == 0) {
		s->slot[first] = *value;
		if (first < v->slot_lo)
			v->slot_lo = (int)first;
	}
}

/* ---- memory access ------------------------------------------------------------- */

enum access { ACC_READ, ACC_WRITE, ACC_ATOMIC };

static const char *region_name(enum kind k)
{
	return k == K_VALUE ? "a map value" : k == K_KEY ? "a map key" : "ring buffer memory";
}

/* A map value, a callback's map key or ring buffer memory: within the
 * bytes it has. */
static bool region_access(struct vcheck *v, uint32_t i, const struct vreg *b, int64_t off,
			  int64_t size)
{
	uint32_t limit = b->kind == K_VALUE ? v->img->maps[b->map].value_size
		       : b->kind == K_KEY ? v->img->maps[b->map].key_size : b->size;
	if (!b->known) {
		fail(v, i, "accesses %s at an offset that is not known", region_name(b->kind));
		return false;
	}
	int64_t at = b->off + off;
	if (at < 0 || at + size > limit) {
		fail(v, i, "accesses %s outside its %u bytes (bytes %" PRId64 "..%" PRId64 ")",
		     region_name(b->kind), limit, at, at + size - 1);
		return false;
	}
	return true;
}

/* The context's readable bytes by program type, as the kernel's
 * *_is_valid_access() allow them: a tracepoint's record starts with 8 bytes
 * of common fields that programs may not read and ends by 2048 bytes
 * (PERF_MAX_TRACE_SIZE); a raw tracepoint has up to 12 u64 arguments;
 * x86-64's struct pt_regs is 168 bytes.  Other types: any offset. */
static bool ctx_bytes_ok(uint32_t prog_type, int64_t at, int size)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_TRACEPOINT:
		return at >= 8 && at + size <= 2048;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return size == 8 && at + size <= 12 * 8;
	case BPF_PROG_TYPE_KPROBE:
		return at + size <= 168;
	default:
		return true;
	}
}

static bool ctx_access(struct vcheck *v, uint32_t i, const struct vreg *b, int32_t off, int size,
		       enum access how)
{
	if (how != ACC_READ) {
		fail(v, i, "writes to the read-only context");
		return false;
	}
	int64_t at = b->off + off;
	if (!b->known || at < 0 || at % size || !ctx_bytes_ok(v->p->prog_type, at, size)) {
		fail(v, i, "reads %d bytes of the context at an offset (%" PRId64 ") that its program "
		     "type does not allow, or that is not known", size, b->known ? at : 0);
		return false;
	}
	return true;
}

/* A callback's access to its caller's stack: known, aligned, and within
 * what the call lent it (below that, the caller may keep pointers that a
 * write would clobber in the kernel's eyes). */
static bool caller_access(struct vcheck *v, uint32_t i, const struct vstate *s, const struct vreg *b,
			  int32_t off, int size, enum access how, int64_t *start)
{
	*start = b->off + off;
	if (!b->known || *start < s->caller_lent || *start + size > 0 || *start % size) {
		fail(v, i, "accesses its caller's stack at fp%+" PRId64 ", outside the bytes from "
		     "fp%+" PRId64 " the call lent it, misaligned, or at an offset not known",
		     b->known ? *start : 0, s->caller_lent);
		return false;
	}
	if (how == ACC_ATOMIC) {
		fail(v, i, "changes its caller's stack atomically");
		return false;
	}
	return true;
}

/* Can `size` bytes at reg+off be accessed?  For the stack (the caller's,
 * for K_CALLER), *start gets the offset from the frame pointer. */
static bool check_access(struct vcheck *v, uint32_t i, const struct vstate *s, int reg, int32_t off,
			 int size, enum access how, int64_t *start)
{
	const struct vreg *b = &s->r[reg];
	switch (b->kind) {
	case K_FP:
		if (!stack_range(v, i, b, off, size, start))
			return false;
		if (*start % size) {
			fail(v, i, "accesses the stack at fp%+" PRId64 ", misaligned for %d bytes", *start, size);
			return false;
		}
		return true;
	case K_CTX:
		return ctx_access(v, i, b, off, size, how);
	case K_CALLER:
		return caller_access(v, i, s, b, off, size, how, start);
	case K_KEY:
		if (how != ACC_READ) {
			fail(v, i, "writes to a map's key, which the kernel keeps read-only");
			return false;
		}
		return region_access(v, i, b, off, size);
	case K_VALUE:
	case K_RB:
		if (!region_access(v, i, b, off, size))
			return false;
		if (how == ACC_ATOMIC && (b->off + off) % size) { /* strict even on x86 */
			fail(v, i, "changes %s atomically at a misaligned offset", region_name(b->kind));
			return false;
		}
		return true;
	case K_VALUE_OR_NULL:
		fail(v, i, "dereferences a map value that may be NULL: compare it with 0 first");
		return false;
	case K_RB_OR_NULL:
		fail(v, i, "dereferences ring buffer memory that may be NULL: compare it with 0 first");
		return false;
	case K_MAP:
		fail(v, i, "dereferences r%d, which holds a map that only helpers may take", reg);
		return false;
	case K_SCALAR:
		fail(v, i, "dereferences r%d, which holds a number, not a pointer", reg);
		return false;
	case K_MIXED:
		fail(v, i, "dereferences r%d, which holds different kinds of value on different paths", reg);
		return false;
	default:
		return readable(v, i, s, reg);
	}
}

static int access_size(const struct bpf_insn *in)
{
	static const int bytes[4] = {[BPF_W >> 3] = 4, [BPF_H >> 3] = 2, [BPF_B >> 3] = 1, [BPF_DW >> 3] = 8};
	return bytes[BPF_SIZE(in->code) >> 3];
}

/* ---- instruction classes: loads and stores ----------------------------------------- */

static bool caller_byte_written(const struct vstate *s, int64_t fp_off)
{
	int64_t b = STACK + fp_off;
	return s->caller_init[b / 64] >> (b % 64) & 1;
}

/* A callback reads its caller's stack: bytes the caller wrote; a whole
 * slot holding the caller's context gives the context (the kernel restores
 * a spilled register), other pointers are not ours to read. */
static bool caller_load(struct vcheck *v, uint32_t i, const struct vstate *s, int64_t start, int size,
			struct vreg *got)
{
	for (int64_t b = start; b < start + size; b++)
		if (!caller_byte_written(s, b)) {
			fail(v, i, "reads its caller's stack byte fp%+" PRId64 " before the caller writes it", b);
			return false;
		}
	uint64_t slot = 1ull << ((STACK + start) / 8);
	if ((s->caller_ptr & slot) || ((s->caller_ctx & slot) && size != 8)) {
		fail(v, i, "reads a pointer its caller spilled, which only a whole context slot may be");
		return false;
	}
	if (s->caller_ctx & slot)
		*got = (struct vreg){K_CTX, true, -1, 0, 0, 0};
	return true;
}

static bool load(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int size = access_size(in);
	int64_t start = 0;
	if (!readable(v, i, s, in->src_reg) ||
	    !check_access(v, i, s, in->src_reg, in->off, size, ACC_READ, &start) ||
	    !writable(v, i, in->dst_reg))
		return false;
	struct vreg got = scalar(false, 0);
	if (s->r[in->src_reg].kind == K_CALLER && !caller_load(v, i, s, start, size, &got))
		return false;
	if (s->r[in->src_reg].kind == K_FP) {
		if (!stack_written(v, i, s, start, size, "reads"))
			return false;
		const struct vreg *slot = &s->slot[(STACK + start) / 8];
		if (size == 8 && BPF_MODE(in->code) == BPF_MEM) {
			got = *slot;
		} else if (slot->kind != K_SCALAR) {
			fail(v, i, "reads part of a spilled pointer");
			return false;
		}
	}
	s->r[in->dst_reg] = got;
	return true;
}

static bool store(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int size = access_size(in);
	int64_t start = 0;
	bool reg = BPF_CLASS(in->code) == BPF_STX;
	if (!readable(v, i, s, in->dst_reg) || (reg && !readable(v, i, s, in->src_reg)) ||
	    !check_access(v, i, s, in->dst_reg, in->off, size, ACC_WRITE, &start))
		return false;
	/* a stored immediate is left unknown: older kernels do not track it */
	if (s->r[in->dst_reg].kind == K_FP)
		stack_store(v, s, start, size, reg ? &s->r[in->src_reg] : NULL);
	if (s->r[in->dst_reg].kind == K_CALLER) {
		if (reg && s->r[in->src_reg].kind != K_SCALAR) {
			fail(v, i, "stores a pointer into its caller's stack");
			return false;
		}
		for (int64_t b = STACK + start; b < STACK + start + size; b++)
			s->caller_init[b / 64] |= 1ull << (b % 64);
		uint64_t slot = 1ull << ((STACK + start) / 8);
		s->caller_ctx &= ~slot, s->caller_ptr &= ~slot;
	}
	return true;
}

/* lock *(u64 *)(rD +off) += rS and the fetch/xchg/cmpxchg forms. */
static bool atomic(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int op = in->imm & ~BPF_FETCH, size = access_size(in);
	int64_t start = 0;
	bool known_op = in->imm == BPF_XCHG || in->imm == BPF_CMPXCHG ||
		op == BPF_ADD || op == BPF_AND || op == BPF_OR || op == BPF_XOR;
	if (!known_op) {
		fail(v, i, "is an atomic operation (0x%x) the kernel does not know", (uint32_t)in->imm);
		return false;
	}
	if (!readable(v, i, s, in->dst_reg) || !readable(v, i, s, in->src_reg) ||
	    (in->imm == BPF_CMPXCHG && !readable(v, i, s, BPF_REG_0)))
		return false;
	if (s->r[in->dst_reg].kind == K_CTX) {
		fail(v, i, "changes the context atomically");
		return false;
	}
	if (!check_access(v, i, s, in->dst_reg, in->off, size, ACC_ATOMIC, &start))
		return false;
	if (s->r[in->dst_reg].kind == K_FP) {
		if (!stack_written(v, i, s, start, size, "atomically changes"))
			return false;
		stack_store(v, s, start, size, NULL);
	}
	if (in->imm == BPF_CMPXCHG)
		s->r[BPF_REG_0] = scalar(false, 0);
	else if (in->imm & BPF_FETCH)
		s->r[in->src_reg] = scalar(false, 0);
	return true;
}

/* ---- instruction classes: arithmetic ---------------------------------------------- */

/* The value of a scalar operation on known operands, for the operations
 * whose constants the kernel tracks too (tnum arithmetic).  We must never
 * know more than the kernel: a branch we prune as impossible, it follows.
 * Division, modulo, negation, byte swaps and sign-extending moves give an
 * unknown number (false). */
static bool eval(const struct bpf_insn *in, uint64_t a, uint64_t b, bool is64, uint64_t *out)
{
	int bits = is64 ? 64 : 32;
	if (!is64)
		a = (uint32_t)a, b = (uint32_t)b;
	int64_t sa = is64 ? (int64_t)a : (int32_t)a;
	switch (BPF_OP(in->code)) {
	case BPF_ADD: *out = a + b; break;
	case BPF_SUB: *out = a - b; break;
	case BPF_MUL: *out = a * b; break;
	case BPF_OR: *out = a | b; break;
	case BPF_AND: *out = a & b; break;
	case BPF_XOR: *out = a ^ b; break;
	case BPF_LSH: *out = a << (b & (bits - 1)); break;
	case BPF_RSH: *out = a >> (b & (bits - 1)); break;
	case BPF_ARSH: *out = (uint64_t)(sa >> (b & (bits - 1))); break;
	case BPF_MOV: *out = b; if (in->off) return false; break;
	default: return false;
	}
	if (!is64)
		*out = (uint32_t)*out;
	return true;
}

static bool is_pointer(enum kind k)
{
	return k == K_CTX || k == K_FP || k == K_VALUE || k == K_RB || k == K_CALLER;
}

/* rD += / -= a number, or rD = rS + ... where one side is a pointer. */
static bool pointer_alu(struct vcheck *v, uint32_t i, struct vstate *s, struct vreg src, bool is64)
{
	int op = BPF_OP(v->p->insns[i].code), d = v->p->insns[i].dst_reg;
	struct vreg *dst = &s->r[d];
	if (!is64) {
		fail(v, i, "does 32-bit arithmetic on a pointer");
		return false;
	}
	if (is_pointer(dst->kind) && is_pointer(src.kind) && op == BPF_SUB) {
		*dst = scalar(false, 0); /* the distance between two pointers */
		return true;
	}
	bool dst_ptr = is_pointer(dst->kind);
	struct vreg ptr = dst_ptr ? *dst : src, n = dst_ptr ? src : *dst;
	if ((op != BPF_ADD && !(op == BPF_SUB && dst_ptr)) || n.kind != K_SCALAR) {
		fail(v, i, "does arithmetic on a pointer that the verifier refuses");
		return false;
	}
	ptr.known = ptr.known && n.known;
	ptr.off += op == BPF_ADD ? n.off : -n.off;
	*dst = ptr;
	return true;
}

static bool alu_operands_ok(struct vcheck *v, uint32_t i, const struct vreg *dst, const struct vreg *src)
{
	const struct vreg *r[2] = {dst, src};
	for (int k = 0; k < 2; k++) {
		if (!r[k])
			continue;
		if (r[k]->kind == K_VALUE_OR_NULL || r[k]->kind == K_RB_OR_NULL)
			fail(v, i, "does arithmetic on a pointer that may be NULL: compare it with 0 first");
		else if (r[k]->kind == K_MAP)
			fail(v, i, "does arithmetic on a map, which only helpers may take");
		else if (r[k]->kind == K_KEY || r[k]->kind == K_FUNC)
			fail(v, i, "does arithmetic on a %s, which this compiler never does",
			     r[k]->kind == K_KEY ? "map key's address" : "subprogram's address");
		else if (r[k]->kind == K_MIXED)
			fail(v, i, "does arithmetic on a register holding different kinds of value on different paths");
		else
			continue;
		return false;
	}
	return true;
}

static bool alu(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int op = BPF_OP(in->code), d = in->dst_reg;
	bool x = BPF_SRC(in->code) == BPF_X, is64 = BPF_CLASS(in->code) == BPF_ALU64;
	bool unary = op == BPF_NEG || op == BPF_END;
	if (!writable(v, i, d) || (x && !unary && !readable(v, i, s, in->src_reg)) ||
	    (op != BPF_MOV && !readable(v, i, s, d)))
		return false;
	if (!x && (op == BPF_DIV || op == BPF_MOD) && in->imm == 0) {
		fail(v, i, "divides by the constant 0");
		return false;
	}
	if (!x && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	    (in->imm < 0 || in->imm >= (is64 ? 64 : 32))) {
		fail(v, i, "shifts by %d, more than the register has bits", in->imm);
		return false;
	}
	struct vreg src = x && !unary ? s->r[in->src_reg] : scalar(true, in->imm);
	if (op == BPF_MOV && is64 && !in->off) {
		s->r[d] = src; /* a copy keeps the kind: pointers stay pointers */
		return true;
	}
	struct vreg *dst = &s->r[d];
	if (!alu_operands_ok(v, i, op == BPF_MOV ? NULL : dst, &src))
		return false;
	if (op != BPF_MOV && (is_pointer(dst->kind) || (!unary && is_pointer(src.kind))))
		return pointer_alu(v, i, s, src, is64);
	if (op == BPF_MOV && is_pointer(src.kind)) {
		*dst = scalar(false, 0); /* a 32-bit or sign-extending copy of a pointer */
		return true;
	}
	uint64_t value = 0;
	bool known = src.known && (op == BPF_MOV || dst->known) &&
		     eval(in, (uint64_t)dst->off, (uint64_t)src.off, is64, &value);
	*dst = scalar(known, known ? (int64_t)value : 0);
	return true;
}

/* ---- instruction classes: 64-bit loads -------------------------------------------- */

/* The map reference of each instruction (the first, if several), found in
 * one walk: a search of every reference at every 64-bit load was loads x
 * references, both as many as a long probe has map accesses.  Not needed
 * (NULL) where the references are in order: a binary search finds them. */
static const struct eq_map_ref **refs_by_insn(struct arena *scratch, const struct eq_prog *p)
{
	if (eq_prog_refs_in_order(p))
		return NULL;
	const struct eq_map_ref **ref = ARENA_ARRAY(scratch, const struct eq_map_ref *, p->ninsns + 1);
	for (uint32_t r = p->nrefs; r-- > 0;)
		if (p->refs[r].insn_index < p->ninsns)
			ref[p->refs[r].insn_index] = &p->refs[r];
	return ref;
}

static bool ld_imm64(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	if (!writable(v, i, in->dst_reg))
		return false;
	if (in->src_reg == 0) {
		s->r[in->dst_reg] = scalar(true, (int64_t)((uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32));
		return true;
	}
	if (in->src_reg == BPF_PSEUDO_FUNC) {
		int64_t at = (int64_t)i + 1 + in->imm;
		bool starts = false;
		for (uint32_t f = 0; f < v->p->nfuncs; f++)
			starts = starts || v->p->func_starts[f] == at;
		if (!starts) {
			fail(v, i, "loads the address of instruction %" PRId64 ", where no subprogram starts", at);
			return false;
		}
		uint32_t end, from = function_of(v->p, i, &end), to = function_of(v->p, (uint32_t)at, &end);
		v->names[from * (v->p->nfuncs + 1) + to] = true;
		s->r[in->dst_reg] = (struct vreg){K_FUNC, true, -1, 0, 0, at};
		return true;
	}
	bool value = in->src_reg == BPF_PSEUDO_MAP_VALUE;
	if (!value && in->src_reg != BPF_PSEUDO_MAP_FD) {
		fail(v, i, "loads a kind of pseudo value (%d) this compiler never emits", in->src_reg);
		return false;
	}
	const struct eq_map_ref *ref = v->ref ? v->ref[i] : eq_prog_ref_at(v->p, i);
	if (!ref || (int)ref->map_index >= v->img->nmaps || ref->value != value) {
		fail(v, i, "loads a map that the program's map references do not name as such");
		return false;
	}
	const struct eq_map *m = &v->img->maps[ref->map_index];
	uint32_t off = (uint32_t)in[1].imm;
	if (value && (m->type != BPF_MAP_TYPE_ARRAY || off >= m->value_size)) {
		fail(v, i, "takes an address %u bytes into a value of %s, which is not an array of "
		     "values that long", off, m->name);
		return false;
	}
	s->r[in->dst_reg] = (struct vreg){value ? K_VALUE : K_MAP, true, (int)ref->map_index, 0, 0,
					 value ? off : 0};
	return true;
}

/* ---- instruction classes: helper calls --------------------------------------------- */

static bool set_has(const struct vstate *s, uint32_t id)
{
	for (int k = 0; k < s->nopen; k++)
		if (s->open[k] == id)
			return true;
	return false;
}

static void invalidate(struct vreg *r, uint32_t id, uint32_t by_call)
{
	if ((r->kind == K_RB || r->kind == K_RB_OR_NULL) && r->id == id)
		*r = (struct vreg){K_UNINIT, false, -1, by_call, 0, 0};
}

/* The reservation `id` is submitted, discarded or NULL: no copy of it may
 * be used again (the kernel's release_reference).  Copies become
 * unreadable, blamed on the call that released them. */
static void release(const struct vcheck *v, struct vstate *s, uint32_t id, uint32_t by_call)
{
	int k = 0;
	for (int j = 0; j < s->nopen; j++)
		if (s->open[j] != id)
			s->open[k++] = s->open[j];
	s->nopen = k;
	for (int r = 0; r < 11; r++)
		invalidate(&s->r[r], id, by_call);
	for (int j = v->slot_lo; j < SLOTS; j++)
		invalidate(&s->slot[j], id, by_call);
}

static bool mem_arg(struct vcheck *v, uint32_t i, struct vstate *s, const char *fn, int reg,
		    int64_t size, bool write)
{
	const struct vreg *r = &s->r[reg];
	int64_t start;
	if (size <= 0 || size > (int64_t)1 << 30) {
		fail(v, i, "passes bpf_%s a size of %" PRId64 " for r%d", fn, size, reg);
		return false;
	}
	switch (r->kind) {
	case K_KEY:
		if (write) {
			fail(v, i, "passes bpf_%s a map's key to write, which the kernel keeps read-only", fn);
			return false;
		}
		return region_access(v, i, r, 0, size);
	case K_VALUE:
	case K_RB:
		return region_access(v, i, r, 0, size);
	case K_FP:
		if (!stack_range(v, i, r, 0, size, &start))
			return false;
		if (write)
			stack_store(v, s, start, size, NULL); /* the helper fills it */
		return write || stack_written(v, i, s, start, size, "passes the helper");
	case K_VALUE_OR_NULL:
	case K_RB_OR_NULL:
		fail(v, i, "passes bpf_%s r%d, memory that may be NULL", fn, reg);
		return false;
	default:
		fail(v, i, "passes bpf_%s r%d, which is not a pointer to the stack or a map value", fn, reg);
		return false;
	}
}

/* The most a scalar may be, if that is known: its value, or its bound. */
static bool scalar_max(const struct vreg *r, uint64_t *max)
{
	if (r->kind != K_SCALAR || (!r->known && !r->bounded))
		return false;
	*max = r->known ? (uint64_t)r->off : r->umax;
	return true;
}

/* A helper's size: a constant, or for the probe_read helpers (whose size
 * may be 0: ARG_CONST_SIZE_OR_ZERO) a number a branch bounded; *size is
 * the most it may be. */
static bool bounded_size(struct vcheck *v, uint32_t i, const struct vstate *s, const char *fn, int reg,
			 int64_t *size)
{
	uint64_t max;
	bool may_be_zero = !strncmp(fn, "probe_read", 10);
	if (reg <= 5 && (s->r[reg].known || may_be_zero) && scalar_max(&s->r[reg], &max) &&
	    max <= (uint64_t)1 << 30) {
		*size = (int64_t)max;
		return true;
	}
	fail(v, i, "passes bpf_%s a size in r%d that is not a known constant%s", fn, reg,
	     may_be_zero ? " (nor bounded by a comparison)" : "");
	return false;
}

static bool known_size(struct vcheck *v, uint32_t i, const struct vstate *s, const char *fn, int reg)
{
	if (reg <= 5 && s->r[reg].kind == K_SCALAR && s->r[reg].known)
		return true;
	fail(v, i, "passes bpf_%s a size in r%d that is not a known constant", fn, reg);
	return false;
}

static bool map_arg(struct vcheck *v, uint32_t i, const struct vreg *r, const struct bpf_helper_info *h)
{
	if (r->kind != K_MAP) {
		fail(v, i, "passes bpf_%s an argument of the wrong kind: not a map", h->name);
		return false;
	}
	const struct eq_map *m = &v->img->maps[r->map];
	bool special = m->type == BPF_MAP_TYPE_RINGBUF || m->type == BPF_MAP_TYPE_STACK_TRACE;
	if (h->map_type ? m->type != h->map_type : special) {
		fail(v, i, "passes bpf_%s map %s, a type of map the helper does not take", h->name, m->name);
		return false;
	}
	return true;
}

/* One argument of a helper, in register a+1.  *map is the map argument
 * seen so far, for key and value sizes and the return value. */
static bool call_arg(struct vcheck *v, uint32_t i, struct vstate *s, const struct bpf_helper_info *h,
		     int a, int *map)
{
	int reg = a + 1;
	const struct vreg *r = &s->r[reg];
	switch (h->args[a]) {
	case HA_MAP:
		*map = r->map;
		return map_arg(v, i, r, h);
	case HA_KEY:
	case HA_VALUE:
		if (*map < 0) { /* a table error: the map argument comes first */
			fail(v, i, "passes bpf_%s a key or value of no map", h->name);
			return false;
		}
		return mem_arg(v, i, s, h->name, reg, h->args[a] == HA_KEY ? v->img->maps[*map].key_size
			       : v->img->maps[*map].value_size, false);
	case HA_READ_NEXT:
	case HA_WRITE_NEXT: {
		int64_t size;
		return bounded_size(v, i, s, h->name, reg + 1, &size) &&
		       ((size == 0 && !s->r[reg + 1].known) || mem_arg(v, i, s, h->name, reg, size, h->args[a] == HA_WRITE_NEXT));
	}
	case HA_ALLOC_SIZE:
		if (!known_size(v, i, s, h->name, reg))
			return false;
		if (r->off > 0 && r->off <= UINT32_MAX)
			return true;
		fail(v, i, "asks bpf_%s for %" PRId64 " bytes", h->name, r->off);
		return false;
	case HA_CTX:
		if (r->kind == K_CTX && r->known && r->off == 0)
			return true;
		fail(v, i, "passes bpf_%s r%d, which is not the unmodified context", h->name, reg);
		return false;
	case HA_FUNC:
		if (r->kind == K_FUNC)
			return true;
		fail(v, i, "passes bpf_%s r%d, which is not a subprogram", h->name, reg);
		return false;
	case HA_CALLBACK_CTX:
		if ((r->kind == K_FP && r->known && r->off >= -STACK && r->off <= 0) || is_zero(r))
			return true;
		fail(v, i, "passes bpf_%s r%d as its callback's context, which is neither a known place "
		     "on the stack nor 0", h->name, reg);
		return false;
	case HA_RINGBUF_MEM:
		if (r->kind == K_RB && r->known && r->off == 0)
			return true;
		fail(v, i, "passes bpf_%s r%d, which is not the start of memory from bpf_ringbuf_reserve "
		     "checked against NULL", h->name, reg);
		return false;
	default: /* HA_ANY, HA_SIZE (checked with its memory) */
		return true;
	}
}

static void flow(struct vcheck *v, uint32_t to, const struct vstate *s);

/* bpf_for_each_map_elem(map, callback, ctx, flags) calls the callback with
 * the state the kernel sets up for it (set_map_elem_callback_state); the
 * callback may write the stack the caller lent it through ctx, so in the
 * caller what was there is a number afterwards. */
static bool call_back(struct vcheck *v, uint32_t i, struct vstate *s, const struct bpf_helper_info *h)
{
	if (v->p->insns[i].imm != BPF_FUNC_for_each_map_elem) {
		fail(v, i, "passes a callback to bpf_%s, whose calls this checker does not model", h->name);
		return false;
	}
	const struct vreg *map = &s->r[BPF_REG_1], *ctx = &s->r[BPF_REG_3];
	struct vstate cb;
	memset(&cb, 0, sizeof(cb));
	for (int r = 0; r < 11; r++)
		cb.r[r] = uninit;
	for (int k = 0; k < SLOTS; k++)
		cb.slot[k] = scalar(false, 0);
	cb.r[BPF_REG_10] = (struct vreg){K_FP, true, -1, 0, 0, 0};
	cb.r[BPF_REG_1] = *map;
	cb.r[BPF_REG_2] = (struct vreg){K_KEY, true, map->map, 0, 0, 0};
	cb.r[BPF_REG_3] = (struct vreg){K_VALUE, true, map->map, 0, 0, 0};
	cb.r[BPF_REG_4] = *ctx;
	cb.caller_lent = 0; /* nothing lent */
	if (ctx->kind == K_FP) {
		cb.r[BPF_REG_4].kind = K_CALLER;
		cb.caller_lent = ctx->off;
		memcpy(cb.caller_init, s->init, sizeof(cb.caller_init));
		for (int k = 0; k < SLOTS; k++) {
			const struct vreg *sl = &s->slot[k];
			if (sl->kind == K_CTX && sl->known && sl->off == 0)
				cb.caller_ctx |= 1ull << k;
			else if (sl->kind != K_SCALAR)
				cb.caller_ptr |= 1ull << k;
		}
		for (int64_t k = (STACK + ctx->off) / 8; k < SLOTS; k++)
			s->slot[k] = scalar(false, 0);
	}
	flow(v, (uint32_t)s->r[BPF_REG_2].off, &cb);
	return true;
}

static bool call(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	const struct bpf_helper_info *h = bpf_helper(in->imm);
	if (in->src_reg != 0) {
		fail(v, i, "calls a BPF function or kernel function: this compiler never emits those");
		return false;
	}
	if (!h) {
		fail(v, i, "calls helper #%d, which this compiler does not know", in->imm);
		return false;
	}
	int map = -1;
	for (int a = 0; a < 5 && h->args[a] != HA_NONE; a++)
		if (!readable(v, i, s, a + 1) || !call_arg(v, i, s, h, a, &map))
			return false;
	if (h->args[0] == HA_RINGBUF_MEM)
		release(v, s, s->r[1].id, i + 1);
	if (h->args[1] == HA_FUNC && !call_back(v, i, s, h))
		return false;
	if (h->ret == HR_RINGBUF_MEM_OR_NULL && s->nopen == MAX_OPEN) {
		fail(v, i, "holds more than %d ring buffer reservations at once", MAX_OPEN);
		return false;
	}
	uint32_t reserved = h->ret == HR_RINGBUF_MEM_OR_NULL ? (uint32_t)s->r[2].off : 0;
	for (int r = 1; r <= 5; r++)
		s->r[r] = (struct vreg){K_UNINIT, false, -1, i + 1, 0, 0};
	switch (h->ret) {
	case HR_MAP_VALUE_OR_NULL:
		s->r[0] = (struct vreg){K_VALUE_OR_NULL, true, map, i + 1, 0, 0};
		break;
	case HR_RINGBUF_MEM_OR_NULL:
		s->r[0] = (struct vreg){K_RB_OR_NULL, true, -1, i + 1, reserved, 0};
		if (!set_has(s, i + 1))
			s->open[s->nopen++] = i + 1;
		break;
	case HR_VOID:
		s->r[0] = (struct vreg){K_UNINIT, false, -1, i + 1, 0, 0};
		break;
	default:
		s->r[0] = scalar(false, 0);
		break;
	}
	return true;
}

/* ---- instruction classes: jumps ------------------------------------------------- */

static bool compare(int op, uint64_t a, uint64_t b, bool j32)
{
	if (j32)
		a = (uint32_t)a, b = (uint32_t)b;
	int64_t sa = j32 ? (int32_t)a : (int64_t)a, sb = j32 ? (int32_t)b : (int64_t)b;
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return a & b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	default: return sa <= sb; /* BPF_JSLE */
	}
}

/* 1: the branch is always taken, 0: never, -1: either.  The kernel prunes
 * the side that cannot happen, so we must not check it either. */
static int outcome(const struct bpf_insn *in, const struct vreg *d, const struct vreg *src)
{
	int op = BPF_OP(in->code);
	bool j32 = BPF_CLASS(in->code) == BPF_JMP32;
	if (d->kind == K_SCALAR && src->kind == K_SCALAR && d->known && src->known)
		return compare(op, (uint64_t)d->off, (uint64_t)src->off, j32);
	/* of our pointers, only a map value is "not NULL" to the kernel
	 * (reg_type_not_null); it follows both sides for the others */
	if (d->kind == K_VALUE && !j32 && src->kind == K_SCALAR && src->known && src->off == 0 &&
	    (op == BPF_JEQ || op == BPF_JNE))
		return op == BPF_JNE;
	return -1;
}

static void refine(struct vreg *x, const struct vreg *tested, bool is_null)
{
	if (x->kind != tested->kind || x->id != tested->id)
		return;
	if (is_null)
		*x = scalar(true, 0);
	else
		x->kind = x->kind == K_VALUE_OR_NULL ? K_VALUE : K_RB;
}

/* After `if rX == 0`: on one side rX, and every copy of it, is NULL; on
 * the other a usable pointer (the kernel's mark_ptr_or_null_regs). */
static void null_check(const struct vcheck *v, struct vstate *s, int reg, bool is_null)
{
	struct vreg tested = s->r[reg];
	if (tested.id == 0) { /* paths merged two lookups: only this register is known */
		refine(&s->r[reg], &tested, is_null);
		return;
	}
	for (int r = 0; r < 11; r++)
		refine(&s->r[r], &tested, is_null);
	for (int k = v->slot_lo; k < SLOTS; k++)
		refine(&s->slot[k], &tested, is_null);
	if (is_null && tested.kind == K_RB_OR_NULL)
		release(v, s, tested.id, 0); /* nothing was reserved: nothing to submit */
}

static void branch(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int op = BPF_OP(in->code), d = in->dst_reg;
	bool x = BPF_SRC(in->code) == BPF_X, j64 = BPF_CLASS(in->code) == BPF_JMP;
	if (!readable(v, i, s, d) || (x && !readable(v, i, s, in->src_reg)))
		return;
	struct vreg src = x ? s->r[in->src_reg] : scalar(true, in->imm);
	int taken = outcome(in, &s->r[d], &src);
	/* The state on the jump's side.  Its slots below slot_lo are left
	 * unset, not copied (a whole state is 4 KB, a branch every few
	 * instructions): nothing here reads them, and flow()'s copy and merge
	 * start at slot_lo. */
	struct vstate jumped;
	copy_state(v, &jumped, s);
	enum kind k = s->r[d].kind;
	bool eq_test = !x && j64 && (op == BPF_JEQ || op == BPF_JNE);
	if (eq_test && in->imm == 0 && (k == K_VALUE_OR_NULL || k == K_RB_OR_NULL)) {
		null_check(v, &jumped, d, op == BPF_JEQ);
		null_check(v, s, d, op == BPF_JNE);
	} else if (eq_test && k == K_SCALAR) {
		/* where they are equal, the register holds the constant */
		(op == BPF_JEQ ? &jumped : s)->r[d] = scalar(true, in->imm);
	} else if (!x && j64 && k == K_SCALAR && !s->r[d].known && in->imm >= 0) {
		/* an unsigned comparison with a constant bounds the number on
		 * one side (the kernel's reg_set_min_max) */
		uint64_t imm = (uint64_t)in->imm;
		struct vstate *below = op == BPF_JLE || op == BPF_JLT ? &jumped
				     : op == BPF_JGT || op == BPF_JGE ? s : NULL;
		uint64_t max = op == BPF_JLE || op == BPF_JGT ? imm : imm - 1;
		if (below && (imm > 0 || op == BPF_JLE || op == BPF_JGT) &&
		    (!below->r[d].bounded || max < below->r[d].umax)) {
			below->r[d].bounded = true;
			below->r[d].umax = max;
		}
	}
	if (taken != 0)
		flow(v, (uint32_t)((int64_t)i + 1 + in->off), &jumped);
	if (taken != 1)
		flow(v, i + 1, s);
}

/* A callback's r0 says whether to go on (0) or stop (1); the kernel wants
 * it known to be one of them. */
static void exit_check(struct vcheck *v, uint32_t i, const struct vstate *s)
{
	const struct vreg *r0 = &s->r[BPF_REG_0];
	uint32_t end;
	bool callback = function_of(v->p, i, &end) > 0;
	if (r0->kind == K_UNINIT && r0->id)
		fail(v, i, "exits with r0 unreadable after the helper call at instruction %u", r0->id - 1);
	else if (r0->kind == K_UNINIT)
		fail(v, i, "exits before r0 is written");
	else if (r0->kind != K_SCALAR)
		fail(v, i, "exits with a pointer in r0, not a number");
	else if (s->nopen)
		fail(v, i, "exits while the ring buffer memory reserved at instruction %u is neither "
		     "submitted nor discarded", s->open[0] - 1);
	else if (callback && (!r0->known || (r0->off != 0 && r0->off != 1)))
		fail(v, i, "returns from a callback with r0 not known to be 0 or 1");
}

static void jump(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	switch (BPF_OP(in->code)) {
	case BPF_EXIT:
		exit_check(v, i, s);
		return;
	case BPF_CALL:
		if (call(v, i, s))
			flow(v, i + 1, s);
		return;
	case BPF_JA:
		flow(v, (uint32_t)((int64_t)i + 1 + (BPF_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off)), s);
		return;
	default:
		branch(v, i, s);
		return;
	}
}

/* ---- merging paths ------------------------------------------------------------- */

static bool nullable(enum kind k)
{
	return k == K_VALUE || k == K_VALUE_OR_NULL || k == K_RB || k == K_RB_OR_NULL;
}

static enum kind or_null(enum kind k)
{
	return k == K_VALUE || k == K_VALUE_OR_NULL ? K_VALUE_OR_NULL : K_RB_OR_NULL;
}

/* What a register holds where two paths meet: the least both guarantee. */
static struct vreg merge_reg(const struct eq_image *img, struct vreg a, const struct vreg *b)
{
	const struct vreg mixed = {K_MIXED, false, -1, 0, 0, 0};
	uint64_t max_a = 0, max_b = 0; /* two bounded numbers: the larger bound */
	bool bounded = scalar_max(&a, &max_a) && scalar_max(b, &max_b);
	if (a.kind == K_UNINIT || b->kind == K_UNINIT) { /* keep the call to blame, if only one */
		uint32_t id = a.kind != K_UNINIT ? b->id : b->kind != K_UNINIT || a.id == b->id ? a.id : 0;
		return (struct vreg){K_UNINIT, false, -1, id, 0, 0};
	}
	/* NULL on one path, a pointer on the other: a pointer that may be NULL,
	 * which a later check sorts out as it does for a lookup */
	if (is_zero(&a) && nullable(b->kind))
		a = *b, a.kind = or_null(b->kind);
	else if (is_zero(b) && nullable(a.kind))
		a.kind = or_null(a.kind);
	else if (nullable(a.kind) && or_null(a.kind) == or_null(b->kind) && a.kind != b->kind)
		a.kind = or_null(a.kind); /* checked on one path, not on the other */
	else if (a.kind != b->kind)
		return mixed;
	/* Values of two maps (LLVM's code merges two paths' loads from them
	 * into one load, --backend llvm): either's, so within the smaller's
	 * bytes.  Only a value: a map itself decides what a helper does. */
	if (a.map != b->map && !is_zero(b) && (a.kind == K_VALUE || a.kind == K_VALUE_OR_NULL) &&
	    a.map >= 0 && b->map >= 0) {
		if (img->maps[b->map].value_size < img->maps[a.map].value_size)
			a.map = b->map;
	} else if (a.map != b->map && !is_zero(b)) {
		return mixed;
	}
	if ((a.kind == K_RB || a.kind == K_RB_OR_NULL) && a.id != b->id && !is_zero(b))
		return mixed; /* which reservation would a submit release? */
	if (a.id != b->id && !is_zero(b))
		a.id = 0;
	if (!is_zero(b) && (a.off != b->off || !b->known))
		a.known = false;
	if (!is_zero(b) && b->size < a.size)
		a.size = b->size;
	if (a.kind == K_SCALAR && !a.known) {
		a.bounded = bounded;
		a.umax = bounded ? (max_a > max_b ? max_a : max_b) : 0;
	}
	return a;
}

static bool same_reg(const struct vreg *a, const struct vreg *b)
{
	return a->kind == b->kind && a->known == b->known && a->map == b->map && a->id == b->id &&
	       a->size == b->size && (!a->known || a->off == b->off) && a->bounded == b->bounded &&
	       (!a->bounded || a->umax == b->umax);
}

/* merge_reg(*x, y) is *x: every field equal, and *x as merge_reg makes
 * one (an unreadable register without the fields it does not use, a
 * number without a bound without a stale umax).  Where paths meet, most
 * registers are the same on both: this skips merge_reg for them. */
static bool merges_to_itself(const struct vreg *x, const struct vreg *y)
{
	if (x->kind != y->kind || x->known != y->known || x->map != y->map || x->id != y->id ||
	    x->size != y->size || x->off != y->off || x->bounded != y->bounded || x->umax != y->umax)
		return false;
	if (x->kind == K_UNINIT)
		return !x->known && x->map == -1 && !x->size && !x->off && !x->bounded && !x->umax;
	return x->kind != K_SCALAR || x->known || x->bounded || !x->umax;
}

/* Merge `s` into `into`; true if that changed it. */
static bool merge_state(const struct vcheck *v, struct vstate *into, const struct vstate *s)
{
	bool changed = false;
	for (int r = 0; r < 11 + SLOTS; r = r == 10 ? 11 + v->slot_lo : r + 1) {
		struct vreg *x = r < 11 ? &into->r[r] : &into->slot[r - 11];
		const struct vreg *y = r < 11 ? &s->r[r] : &s->slot[r - 11];
		if (merges_to_itself(x, y))
			continue;
		struct vreg m = merge_reg(v->img, *x, y);
		changed |= !same_reg(&m, x);
		*x = m;
	}
	for (int w = 0; w < STACK / 64; w++) {
		changed |= (into->init[w] & s->init[w]) != into->init[w];
		into->init[w] &= s->init[w];
		changed |= (into->caller_init[w] & s->caller_init[w]) != into->caller_init[w];
		into->caller_init[w] &= s->caller_init[w];
	}
	/* a slot that is the context on one path only is a pointer to refuse */
	uint64_t ctx = into->caller_ctx & s->caller_ctx;
	uint64_t ptr = into->caller_ptr | s->caller_ptr | (into->caller_ctx ^ s->caller_ctx);
	changed |= ctx != into->caller_ctx || ptr != into->caller_ptr;
	into->caller_ctx = ctx, into->caller_ptr = ptr;
	if (s->caller_lent > into->caller_lent) { /* the less lent */
		into->caller_lent = s->caller_lent;
		changed = true;
	}
	for (int k = 0; k < s->nopen; k++)
		if (!set_has(into, s->open[k]) && into->nopen < MAX_OPEN) {
			into->open[into->nopen++] = s->open[k];
			changed = true;
		}
	return changed;
}

/* The pool, from the scratch arena.  Where states are kept there is one
 * for each instruction a state reaches, at most all but the second halves
 * of 64-bit loads, and the pool is made that big at once: grown by
 * doubling, a pool of thousands of 4 KB states was copied whenever it
 * outgrew its chunk of the arena, each copy fresh pages and the old one
 * left behind until the next reset (a loop of 300 statements: 70% more
 * page faults than realloc, which moves a big block by remapping it).
 * Where states are let go the pool holds the paths open at once, a few,
 * and grows in place as the arena's last allocation (reserve_states):
 * free_states comes before it, with room for every place that can be
 * free, one per instruction (flow() makes at most one for each). */
static void make_pool(struct vcheck *v)
{
	uint32_t n = v->p->ninsns;
	if (v->keep_states) {
		uint32_t places = 0;
		for (uint32_t i = 0; i < n; i++)
			places += !v->second[i];
		v->pool = ARENA_ARRAY(v->scratch, struct vstate, places);
		v->pool_cap = (int)places;
	} else {
		v->free_states = ARENA_ARRAY(v->scratch, uint32_t, n);
	}
}

/* Room for n more states in the pool without moving it.  Its room at
 * the end is less than n (at most 2), so arena_grow is told it is full:
 * it doubles the pool, in place while the arena's chunk has room. */
static void reserve_states(struct vcheck *v, uint32_t n)
{
	while (v->nfree + ((uint32_t)v->pool_cap - v->npool) < n)
		arena_grow(v->scratch, (void **)&v->pool, &v->pool_cap, v->pool_cap, sizeof(*v->pool));
}

static void flow(struct vcheck *v, uint32_t to, const struct vstate *s)
{
	if (!v->seen[to] && v->moving >= 0 && s == &v->pool[v->moving]) {
		/* the state being followed goes on unchanged: hand it on, no copy */
		v->state_of[to] = v->moving;
		v->moving = -1;
		v->seen[to] = v->pending[to] = true;
	} else if (!v->seen[to]) {
		reserve_states(v, 1);
		bool fresh = !v->nfree;
		uint32_t k = fresh ? v->npool++ : v->free_states[--v->nfree];
		if (fresh) /* copy_state() leaves the slots below slot_lo: as they start */
			for (int j = 0; j < v->slot_lo; j++)
				v->pool[k].slot[j] = scalar(false, 0);
		copy_state(v, &v->pool[k], s);
		v->state_of[to] = (int32_t)k;
		v->seen[to] = v->pending[to] = true;
	} else if (v->state_of[to] < 0) {
		/* a state flowing to an instruction already followed and let go:
		 * flows_back() must have said it could */
		abort();
	} else if (merge_state(v, &v->pool[v->state_of[to]], s)) {
		v->pending[to] = true;
	}
}

/* Can a state flow to an instruction at or before the one it comes from: a
 * jump back, or a callback that starts at or before a call that could
 * pass it? */
static bool flows_back(const struct vcheck *v)
{
	const struct bpf_insn *insns = v->p->insns;
	uint32_t n = v->p->ninsns;
	if (v->goes_back) /* a jump back (check_structure saw every edge) */
		return true;
	int64_t first_callback = n;
	for (uint32_t i = 0; i + 1 < n; i++)
		if (!v->second[i] && insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    insns[i].src_reg == BPF_PSEUDO_FUNC && (int64_t)i + 1 + insns[i].imm < first_callback)
			first_callback = (int64_t)i + 1 + insns[i].imm;
	for (uint32_t i = first_callback > 0 ? (uint32_t)first_callback : 0; i < n; i++) {
		if (!v->second[i] && insns[i].code == (BPF_JMP | BPF_CALL)) {
			const struct bpf_helper_info *h = bpf_helper(insns[i].imm);
			if (h && h->args[1] == HA_FUNC)
				return true;
		}
	}
	return false;
}

/* ---- pass 2: the interpretation --------------------------------------------------- */

/* Follow instruction i from the state at its entry.  When states are not
 * kept, nothing flows to i again: it works on its state in the pool, which
 * goes on to the next instruction if that has none yet (straight-line code
 * copies no state) and is let go otherwise. */
static void step(struct vcheck *v, uint32_t i)
{
	struct vstate copy, *s;
	if (v->keep_states) {
		copy = v->pool[v->state_of[i]];
		s = &copy;
	} else {
		reserve_states(v, 2); /* what flows from here may take: the pool stays put */
		v->moving = v->state_of[i];
		v->state_of[i] = -1;
		s = &v->pool[v->moving];
	}
	const struct bpf_insn *in = &v->p->insns[i];
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (alu(v, i, s))
			flow(v, i + 1, s);
		break;
	case BPF_LDX:
		if (load(v, i, s))
			flow(v, i + 1, s);
		break;
	case BPF_ST:
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC ? atomic(v, i, s) : store(v, i, s))
			flow(v, i + 1, s);
		break;
	case BPF_LD:
		if (ld_imm64(v, i, s))
			flow(v, i + 2, s);
		break;
	default:
		jump(v, i, s);
		break;
	}
	if (v->moving >= 0) { /* merged into another state, or stopped here */
		v->free_states[v->nfree++] = (uint32_t)v->moving;
		v->moving = -1;
	}
}

static void interpret(struct vcheck *v)
{
	uint32_t n = v->p->ninsns;
	struct vstate entry;
	memset(&entry, 0, sizeof(entry));
	for (int r = 0; r < 11; r++)
		entry.r[r] = uninit;
	for (int k = 0; k < SLOTS; k++)
		entry.slot[k] = scalar(false, 0); /* unreadable anyway until written */
	entry.r[BPF_REG_10] = (struct vreg){K_FP, true, -1, 0, 0, 0};
	/* subprograms are entered from the helper calls that pass them */
	entry.r[BPF_REG_1] = (struct vreg){K_CTX, true, -1, 0, 0, 0};
	flow(v, 0, &entry);
	/* in instruction order, so that a loop-free program settles in one sweep */
	for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
		bool any = false;
		for (uint32_t i = 0; i < n; i++)
			if (v->pending[i]) {
				v->pending[i] = false;
				any = true;
				step(v, i);
			}
		if (!any)
			return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (v->pending[i]) {
			fail(v, i, "is in a loop whose state does not settle in %d passes", MAX_SWEEPS);
			return;
		}
}

/* The stack the kernel counts for function f and the callbacks it calls,
 * the deepest chain of them (check_max_stack_depth); -1 on a cycle. */
static int64_t chain_depth(const struct vcheck *v, uint32_t f, int calls_left)
{
	uint32_t n = v->p->nfuncs + 1;
	int64_t deepest = 0;
	if (calls_left == 0)
		return -1;
	for (uint32_t g = 0; g < n; g++) {
		if (!v->names[f * n + g])
			continue;
		int64_t d = chain_depth(v, g, calls_left - 1);
		if (d < 0)
			return -1;
		if (d > deepest)
			deepest = d;
	}
	uint32_t own = v->depth[f] ? v->depth[f] : 1;
	return ((own + 31) & ~31u) + deepest;
}

/* After the interpretation: every subprogram was entered from a call, and
 * the stacks of a chain of calls fit in 512 bytes. */
static void check_functions(struct vcheck *v)
{
	for (uint32_t f = 0; f < v->p->nfuncs; f++)
		if (!v->seen[v->p->func_starts[f]]) {
			fail(v, v->p->func_starts[f], "starts a subprogram that no helper call reaches");
			return;
		}
	int64_t depth = chain_depth(v, 0, (int)v->p->nfuncs + 2);
	if (depth < 0)
		fail(v, 0, "starts a program whose subprograms call each other in a cycle");
	else if (depth > STACK)
		fail(v, 0, "starts a program that needs %" PRId64 " bytes of stack with the callbacks it "
		     "calls (each function's rounded up to 32): more than the 512 they share", depth);
}

/* The tables, one or two entries per instruction, and the state pool come
 * from the scratch arena, emptied here for each program: they were
 * calloc'ed and the pool realloc'ed, megabytes for a long probe that
 * malloc mapped fresh and gave back, every 4 KiB page a page fault (most
 * of a long probe's); the arena's pages are touched once a compile, in
 * huge pages.  Nothing else keeps data there across the call: regalloc
 * empties it at each round too. */
int vcheck_prog(struct arena *scratch, const struct eq_image *img, const struct eq_prog *prog,
		struct eq_diag *diag)
{
	uint32_t n = prog->ninsns;
	if (n == 0) {
		eq_loc loc = {(int)prog->line, (int)prog->col, 1};
		diag_error(diag, loc, "internal error: the program for %s is empty", prog->probe_name);
		return -1;
	}
	arena_reset(scratch);
	struct vcheck v = {.img = img, .p = prog, .diag = diag, .scratch = scratch, .moving = -1,
			  .slot_lo = SLOTS};
	v.state_of = ARENA_ARRAY(scratch, int32_t, n);
	v.seen = ARENA_ARRAY(scratch, bool, n);
	v.pending = ARENA_ARRAY(scratch, bool, n);
	v.reported = ARENA_ARRAY(scratch, bool, n);
	v.second = ARENA_ARRAY(scratch, bool, n);
	v.nnext = ARENA_ARRAY(scratch, uint8_t, n);
	v.next = ARENA_ARRAY(scratch, uint32_t, 2 * (size_t)n);
	v.ref = refs_by_insn(scratch, prog);
	v.depth = ARENA_ARRAY(scratch, uint32_t, prog->nfuncs + 1);
	v.names = ARENA_ARRAY(scratch, bool, (size_t)(prog->nfuncs + 1) * (prog->nfuncs + 1));
	uint32_t *stack = ARENA_ARRAY(scratch, uint32_t, n);
	check_structure(&v, stack);
	if (!v.errors) {
		v.keep_states = flows_back(&v);
		make_pool(&v);
		interpret(&v);
	}
	if (!v.errors)
		check_functions(&v);
	return v.errors ? -1 : 0;
}
