/* vcheck.c - our own check of the kernel verifier's main rules, run over
 * every program the compiler emits, before any kernel sees it.
 *
 * An abstract interpretation: each register holds a kind (uninitialised,
 * scalar, context, frame pointer + offset, map, map value, map value or
 * NULL, ...), each stack byte is written or not, and a worklist follows
 * both sides of every branch, merging states where paths meet.  A rule
 * broken here is a compiler bug: it is reported as an internal error at
 * the script line the instruction came from, so the user can report it and
 * nobody has to read a verifier log.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "helpers.h"

enum { STACK = 512, MAX_VISITS = 64, MODE_MEMSX = 0x80 };

enum kind {
	K_UNINIT, K_SCALAR, K_CTX, K_FP, K_MAP, K_VALUE, K_VALUE_OR_NULL, K_RB, K_RB_OR_NULL,
	K_PTR_UNKNOWN, /* a pointer plus an unknown scalar: fine for helpers, not to dereference */
	K_MIXED,       /* different kinds on different paths */
};

struct vreg {
	enum kind kind;
	int64_t off;   /* pointers: offset from the start; scalars: the value if known */
	bool known;    /* off is exact */
	int map;       /* K_MAP, K_VALUE*: which map */
};

struct vstate {
	struct vreg r[11];
	struct vreg slot[STACK / 8]; /* what an 8-byte aligned spill holds */
	uint8_t init[STACK];         /* stack byte written */
};

struct vcheck {
	const struct eq_image *img;
	const struct eq_prog *p;
	struct eq_diag *diag;
	struct vstate *at;   /* merged state at each instruction's entry */
	bool *seen;
	int *visits;
	int *work;
	int nwork;
	int errors;
};

static void fail(struct vcheck *v, uint32_t i, const char *rule)
{
	const struct eq_prog *p = v->p;
	eq_loc loc = {(int)p->line, (int)p->col, 1};
	for (uint32_t k = 0; k < p->nlines; k++)
		if (p->lines[k].insn_off <= i)
			loc = (eq_loc){(int)p->lines[k].line, (int)p->lines[k].col, 1};
	char text[128] = "";
	FILE *mem = fmemopen(text, sizeof(text) - 1, "w");
	if (mem) {
		bpf_insn_print(mem, p->insns, i, p->ninsns);
		fclose(mem);
	}
	diag_error(v->diag, loc, "internal error: instruction %u (%s) %s", i, text, rule);
	v->errors++;
}

static bool is_pointer(enum kind k)
{
	return k == K_CTX || k == K_FP || k == K_VALUE || k == K_RB || k == K_PTR_UNKNOWN;
}

/* ---- memory ----------------------------------------------------------------- */

static bool stack_range(struct vcheck *v, uint32_t i, const struct vreg *base, int32_t off,
			int size, int64_t *start)
{
	if (!base->known) {
		fail(v, i, "uses the stack at an unknown offset");
		return false;
	}
	*start = base->off + off;
	if (*start < -STACK || *start + size > 0) {
		fail(v, i, "accesses the stack outside its 512 bytes");
		return false;
	}
	return true;
}

static bool stack_initialized(const struct vstate *s, int64_t start, int size)
{
	for (int b = 0; b < size; b++)
		if (!s->init[STACK + start + b])
			return false;
	return true;
}

static void stack_write(struct vstate *s, int64_t start, int size, const struct vreg *value)
{
	for (int b = 0; b < size; b++)
		s->init[STACK + start + b] = 1;
	int first = (int)((STACK + start) / 8), last = (int)((STACK + start + size - 1) / 8);
	for (int k = first; k <= last; k++)
		s->slot[k] = (struct vreg){K_SCALAR, 0, false, -1};
	if (value && size == 8 && (STACK + start) % 8 == 0)
		s->slot[first] = *value; /* a spilled register keeps its kind */
}

/* Can `size` bytes at base+off be read (or written)?  Returns the stack
 * start through *start for K_FP. */
static bool check_access(struct vcheck *v, uint32_t i, const struct vstate *s, int reg, int32_t off,
			 int size, bool write, int64_t *start)
{
	const struct vreg *b = &s->r[reg];
	switch (b->kind) {
	case K_FP:
		if (!stack_range(v, i, b, off, size, start))
			return false;
		if ((STACK + *start) % size) {
			fail(v, i, "accesses the stack misaligned");
			return false;
		}
		return true;
	case K_CTX:
		if (write)
			fail(v, i, "writes to the read-only context");
		return !write;
	case K_VALUE:
	case K_RB: {
		uint32_t vsize = b->kind == K_VALUE && b->map >= 0 ? v->img->maps[b->map].value_size : 0;
		if (b->known && b->kind == K_VALUE && (b->off + off < 0 || b->off + off + size > vsize)) {
			fail(v, i, "accesses a map value outside its bytes");
			return false;
		}
		return true;
	}
	case K_VALUE_OR_NULL:
	case K_RB_OR_NULL:
		fail(v, i, "dereferences a map value that may be NULL: it must be compared with 0 first");
		return false;
	case K_UNINIT:
		fail(v, i, "uses a register before it is written");
		return false;
	default:
		fail(v, i, "dereferences something that is not a valid pointer");
		return false;
	}
}

/* ---- instructions ------------------------------------------------------------ */

static bool need_init(struct vcheck *v, uint32_t i, const struct vstate *s, int reg)
{
	if (s->r[reg].kind != K_UNINIT)
		return true;
	fail(v, i, reg >= 1 && reg <= 5 ? "reads a register before it is written, or after a helper call clobbered it"
					: "reads a register before it is written");
	return false;
}

static struct vreg scalar(bool known, int64_t value)
{
	return (struct vreg){K_SCALAR, value, known, -1};
}

static bool alu(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int op = BPF_OP(in->code), d = in->dst_reg;
	bool x = BPF_SRC(in->code) == BPF_X, is64 = BPF_CLASS(in->code) == BPF_ALU64;
	if (d == BPF_REG_10) {
		fail(v, i, "writes to the read-only frame pointer r10");
		return false;
	}
	if (x && !need_init(v, i, s, in->src_reg))
		return false;
	struct vreg src = x ? s->r[in->src_reg] : scalar(true, in->imm);
	if (op == BPF_MOV) {
		s->r[d] = is64 && !in->off ? src : scalar(false, 0);
		return true;
	}
	if (!need_init(v, i, s, d))
		return false;
	struct vreg *dst = &s->r[d];
	if (is_pointer(dst->kind) || is_pointer(src.kind)) {
		if (!is64 || (op != BPF_ADD && op != BPF_SUB) || (is_pointer(dst->kind) && is_pointer(src.kind))) {
			fail(v, i, "does arithmetic on a pointer that the verifier refuses");
			return false;
		}
		struct vreg ptr = is_pointer(dst->kind) ? *dst : src, n = is_pointer(dst->kind) ? src : *dst;
		if (n.known && ptr.known)
			ptr.off += op == BPF_ADD ? n.off : -n.off;
		else if (ptr.kind != K_FP)
			ptr.kind = K_PTR_UNKNOWN;
		else
			ptr.known = false;
		*dst = ptr;
		return true;
	}
	bool known = dst->known && src.known;
	int64_t a = dst->off, b = src.off;
	int64_t r = op == BPF_ADD ? a + b : op == BPF_SUB ? a - b : op == BPF_AND ? (a & b)
		  : op == BPF_OR ? (a | b) : op == BPF_LSH ? (int64_t)((uint64_t)a << (b & 63)) : 0;
	*dst = scalar(known && (op == BPF_ADD || op == BPF_SUB || op == BPF_AND || op == BPF_OR ||
				op == BPF_LSH) && is64, r);
	return true;
}

static bool load_store(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int cls = BPF_CLASS(in->code);
	int size = BPF_SIZE(in->code) == BPF_DW ? 8 : BPF_SIZE(in->code) == BPF_W ? 4
	     : BPF_SIZE(in->code) == BPF_H ? 2 : 1;
	int base = cls == BPF_LDX ? in->src_reg : in->dst_reg;
	int64_t start = 0;
	if (!need_init(v, i, s, base))
		return false;
	if (cls == BPF_STX && !need_init(v, i, s, in->src_reg))
		return false;
	bool write = cls != BPF_LDX;
	if (!check_access(v, i, s, base, in->off, size, write, &start))
		return false;
	bool on_stack = s->r[base].kind == K_FP;
	if (cls == BPF_LDX) {
		if (on_stack && !stack_initialized(s, start, size)) {
			fail(v, i, "reads stack bytes before they are written");
			return false;
		}
		struct vreg got = scalar(false, 0);
		if (on_stack && size == 8 && BPF_MODE(in->code) != MODE_MEMSX)
			got = s->slot[(STACK + start) / 8];
		if (in->dst_reg == BPF_REG_10) {
			fail(v, i, "writes to the read-only frame pointer r10");
			return false;
		}
		s->r[in->dst_reg] = got;
		return true;
	}
	if (BPF_MODE(in->code) == BPF_ATOMIC && on_stack && !stack_initialized(s, start, size)) {
		fail(v, i, "adds atomically to stack bytes that were never written");
		return false;
	}
	if (on_stack)
		stack_write(s, start, size, cls == BPF_STX ? &s->r[in->src_reg] : NULL);
	return true;
}

static int map_of_ref(const struct vcheck *v, uint32_t i)
{
	for (uint32_t r = 0; r < v->p->nrefs; r++)
		if (v->p->refs[r].insn_index == i)
			return (int)v->p->refs[r].map_index;
	return -1;
}

static bool ld_imm64(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	if (i + 1 >= v->p->ninsns) {
		fail(v, i, "is a 64-bit load cut off by the end of the program");
		return false;
	}
	int map = map_of_ref(v, i);
	if (in->src_reg == BPF_PSEUDO_MAP_FD)
		s->r[in->dst_reg] = (struct vreg){K_MAP, 0, true, map};
	else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
		s->r[in->dst_reg] = (struct vreg){K_VALUE, in[1].imm, true, map};
	else
		s->r[in->dst_reg] = scalar(true, (int64_t)((uint32_t)in->imm | (uint64_t)(uint32_t)in[1].imm << 32));
	if ((in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) &&
	    (map < 0 || map >= v->img->nmaps)) {
		fail(v, i, "loads a map that the program's map references do not name");
		return false;
	}
	return true;
}

/* A helper argument of memory: where it is and whether it may be read. */
static bool mem_arg(struct vcheck *v, uint32_t i, struct vstate *s, int reg, int64_t size, bool write)
{
	const struct vreg *r = &s->r[reg];
	if (r->kind == K_VALUE || r->kind == K_RB)
		return true;
	if (r->kind != K_FP) {
		fail(v, i, "passes a helper memory argument that is not a pointer to the stack or a map value");
		return false;
	}
	int64_t start;
	if (size <= 0 || !stack_range(v, i, r, 0, (int)size, &start))
		return size > 0 || (fail(v, i, "passes a helper an unknown or empty size"), false);
	if (write) {
		stack_write(s, start, (int)size, NULL);
		return true;
	}
	if (!stack_initialized(s, start, (int)size)) {
		fail(v, i, "passes a helper stack bytes that were never written");
		return false;
	}
	return true;
}

static int64_t map_size(const struct vcheck *v, const struct vstate *s, bool value)
{
	int map = s->r[1].map;
	if (s->r[1].kind != K_MAP || map < 0)
		return -1;
	return value ? v->img->maps[map].value_size : v->img->maps[map].key_size;
}

static bool call(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	const struct bpf_helper_info *h = bpf_helper(in->imm);
	if (!h) {
		fail(v, i, "calls a helper this compiler does not know");
		return false;
	}
	for (int a = 0; a < 5 && h->args[a] != HA_NONE; a++) {
		int reg = a + 1;
		if (!need_init(v, i, s, reg))
			return false;
		bool ok = true;
		switch (h->args[a]) {
		case HA_MAP: ok = s->r[reg].kind == K_MAP; break;
		case HA_CTX: ok = s->r[reg].kind == K_CTX; break;
		case HA_RINGBUF_MEM: ok = s->r[reg].kind == K_RB; break;
		case HA_KEY: ok = mem_arg(v, i, s, reg, map_size(v, s, false), false); break;
		case HA_VALUE: ok = mem_arg(v, i, s, reg, map_size(v, s, true), false); break;
		case HA_READ_NEXT:
		case HA_WRITE_NEXT:
			if (s->r[reg + 1].kind != K_SCALAR || !s->r[reg + 1].known) {
				fail(v, i, "passes a helper a size that is not a known constant");
				return false;
			}
			ok = mem_arg(v, i, s, reg, s->r[reg + 1].off, h->args[a] == HA_WRITE_NEXT);
			break;
		default: break;
		}
		if (!ok) {
			if (v->errors == 0)
				fail(v, i, "passes a helper an argument of the wrong kind");
			return false;
		}
	}
	int map = s->r[1].map;
	for (int r = 1; r <= 5; r++)
		s->r[r] = (struct vreg){K_UNINIT, 0, false, -1};
	s->r[0] = h->ret == HR_MAP_VALUE_OR_NULL ? (struct vreg){K_VALUE_OR_NULL, 0, true, map}
		: h->ret == HR_RINGBUF_MEM_OR_NULL ? (struct vreg){K_RB_OR_NULL, 0, true, -1}
		: scalar(false, 0);
	return true;
}

/* ---- control flow -------------------------------------------------------------- */

static void merge_reg(struct vreg *into, const struct vreg *from)
{
	if (into->kind == K_UNINIT || from->kind == K_UNINIT) {
		into->kind = K_UNINIT;
	} else if (into->kind != from->kind || into->map != from->map) {
		into->kind = K_MIXED;
	} else if (into->off != from->off || !from->known) {
		into->known = false;
	}
}

/* Merge `s` into the state at instruction `to`; queue it if that changed it. */
static void flow(struct vcheck *v, uint32_t from, uint32_t to, const struct vstate *s)
{
	if (to >= v->p->ninsns) {
		fail(v, from, "jumps or falls past the end of the program");
		return;
	}
	struct vstate *at = &v->at[to];
	if (!v->seen[to]) {
		*at = *s;
		v->seen[to] = true;
	} else {
		struct vstate before = *at;
		for (int r = 0; r < 11; r++)
			merge_reg(&at->r[r], &s->r[r]);
		for (int k = 0; k < STACK / 8; k++)
			merge_reg(&at->slot[k], &s->slot[k]);
		for (int b = 0; b < STACK; b++)
			at->init[b] &= s->init[b];
		if (!memcmp(&before, at, sizeof(before)))
			return;
	}
	if (++v->visits[to] > MAX_VISITS) {
		if (v->visits[to] == MAX_VISITS + 1)
			fail(v, to, "is reached by more paths than the checker follows");
		return;
	}
	v->work[v->nwork++] = (int)to;
}

/* if rX == 0 / != 0 on a maybe-NULL pointer: each side knows which it is. */
static void branch(struct vcheck *v, uint32_t i, struct vstate *s)
{
	const struct bpf_insn *in = &v->p->insns[i];
	int op = BPF_OP(in->code);
	struct vstate taken = *s;
	struct vreg *r = &s->r[in->dst_reg], *tr = &taken.r[in->dst_reg];
	bool nullable = r->kind == K_VALUE_OR_NULL || r->kind == K_RB_OR_NULL;
	if (nullable && BPF_SRC(in->code) == BPF_K && in->imm == 0 && (op == BPF_JEQ || op == BPF_JNE)) {
		enum kind sure = r->kind == K_VALUE_OR_NULL ? K_VALUE : K_RB;
		struct vreg null = scalar(true, 0);
		*(op == BPF_JEQ ? tr : r) = null;
		(op == BPF_JEQ ? r : tr)->kind = sure;
	}
	flow(v, i, (uint32_t)((int64_t)i + 1 + in->off), &taken);
	flow(v, i, i + 1, s);
}

static void step(struct vcheck *v, uint32_t i)
{
	struct vstate s = v->at[i];
	const struct bpf_insn *in = &v->p->insns[i];
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (alu(v, i, &s))
			flow(v, i, i + 1, &s);
		return;
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		if (load_store(v, i, &s))
			flow(v, i, i + 1, &s);
		return;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && ld_imm64(v, i, &s))
			flow(v, i, i + 2, &s);
		else if (in->code != (BPF_LD | BPF_DW | BPF_IMM))
			fail(v, i, "is an instruction this compiler never emits");
		return;
	case BPF_JMP:
	case BPF_JMP32:
		break;
	default:
		fail(v, i, "is an instruction this compiler never emits");
		return;
	}
	int op = BPF_OP(in->code);
	if (op == BPF_EXIT) {
		if (s.r[0].kind != K_SCALAR)
			fail(v, i, "exits without a number in r0");
	} else if (op == BPF_CALL) {
		if (call(v, i, &s))
			flow(v, i, i + 1, &s);
	} else if (op == BPF_JA) {
		flow(v, i, (uint32_t)((int64_t)i + 1 + in->off), &s);
	} else if (need_init(v, i, &s, in->dst_reg) &&
		   (BPF_SRC(in->code) == BPF_K || need_init(v, i, &s, in->src_reg))) {
		branch(v, i, &s);
	}
}

int vcheck_prog(const struct eq_image *img, const struct eq_prog *prog, struct eq_diag *diag)
{
	uint32_t n = prog->ninsns;
	struct vcheck v = {.img = img, .p = prog, .diag = diag};
	v.at = calloc(n + 1, sizeof(*v.at));
	v.seen = calloc(n + 1, sizeof(*v.seen));
	v.visits = calloc(n + 1, sizeof(*v.visits));
	v.work = calloc((size_t)(n + 1) * (MAX_VISITS + 2), sizeof(*v.work));
	if (!v.at || !v.seen || !v.visits || !v.work)
		abort();
	if (n == 0) {
		eq_loc loc = {(int)prog->line, (int)prog->col, 1};
		diag_error(diag, loc, "internal error: the program for %s is empty", prog->probe_name);
		v.errors++;
	} else {
		struct vstate entry = {0};
		entry.r[1] = (struct vreg){K_CTX, 0, true, -1};
		entry.r[10] = (struct vreg){K_FP, 0, true, -1};
		flow(&v, 0, 0, &entry);
	}
	while (v.nwork > 0 && v.errors == 0)
		step(&v, (uint32_t)v.work[--v.nwork]);
	free(v.at);
	free(v.seen);
	free(v.visits);
	free(v.work);
	return v.errors ? -1 : 0;
}
