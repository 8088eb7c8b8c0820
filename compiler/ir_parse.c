/* ir_parse.c - reads back the text ir_print() writes, so that each pass is
 * tested from text to text (tests/irpass/) the way QBE tests its passes.
 *
 * The grammar, one item a line (ir.c shows a whole function):
 *     text := (func subprog*)+
 *     func := "func" NAME "frame" BYTES NL slot* block+
 *     subprog := "subprog" NAME "frame" BYTES NL slot* block+
 *                (a subprogram of the func above it: funcaddr N names its Nth)
 *     slot := "slot" sN OFFSET SIZE ["spill"]
 *     block := bN ":" NL insn*
 *     insn := [vD "="] OP operands          operands as print_insn() writes them
 * What a hand-written test also wants is accepted: blank lines, `#` comments
 * to the end of a line, and any run of blanks where the printer puts one
 * space (or none, around punctuation).
 *
 * Identity is kept, nothing is renumbered: block bN gets id N, vN is vreg N,
 * sN is slot N with the printed offset and size, and the frame is the
 * printed size.  Offsets cannot be recomputed by replaying ir_slot_new():
 * lowering gives a statement's temporaries back, so later slots reuse
 * bytes (`slot s2 -16 16` over `slot s1 -16 8`).  Block ids that the text
 * never mentions are created but not placed, as lowering may leave some.
 *
 * Beyond syntax, the reader refuses what the passes and the emitter take
 * for granted, so that a broken test input stops here with its line number
 * instead of reading a register map at index -1 in emit.c: an immediate
 * where the emitter reads a register (the first operand of arithmetic and
 * of br, the operand of neg and zext32, what an atomic add adds), an
 * immediate the emitter would cut to 32 bits, a jump to a block that is never labelled, a
 * block that does not end in its one terminator, a vreg that is read but
 * never written, a result on an instruction that has none (or none on one
 * that must have one).
 *
 * Locations are not in the text: each instruction's loc is the line of the
 * text it was read from (column 1), so the emitter's line info, and a pass
 * test's listing of emitted code, point back into the .ir file.
 */
#include "ir.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* Vreg and block numbers above this are typos, and passes size arrays by them. */
enum { MAX_NUMBER = 1 << 20 };

/* A block id as the text uses it: created on first mention, placed at its label. */
struct block_ref {
	struct ir_block *block;
	int mentioned_at; /* line of the first jump to it, 0 if none yet */
	bool placed;
};

struct reader {
	struct arena *arena;
	const char *file; /* name for errors */
	FILE *err;
	const char *next; /* start of the line after the current one */
	const char *p, *eol; /* cursor in the current line, and its end (comment cut off) */
	int line;
	bool have_line; /* a line is loaded and not consumed: the next function's header */
	struct ir_func *f;
	struct {
		struct block_ref *items;
		int count, cap;
	} blocks; /* by id */
	struct ir_block *cur;
};

static bool fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	if (r->line)
		fprintf(r->err, "%s:%d: error: ", r->file, r->line);
	else /* an empty text has no line to name */
		fprintf(r->err, "%s: error: ", r->file);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->err);
	return false;
}

/* ---- lines and tokens ------------------------------------------------------ */

static void skip_blanks(struct reader *r)
{
	while (r->p < r->eol && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
}

static bool at_eol(struct reader *r)
{
	skip_blanks(r);
	return r->p == r->eol;
}

/* Loads the next line with something on it besides blanks and a comment;
 * false at the end of the text. */
static bool next_line(struct reader *r)
{
	while (*r->next) {
		r->line++;
		r->p = r->next;
		const char *nl = strchr(r->p, '\n');
		r->eol = nl ? nl : r->p + strlen(r->p);
		r->next = nl ? nl + 1 : r->eol;
		const char *hash = memchr(r->p, '#', (size_t)(r->eol - r->p));
		if (hash)
			r->eol = hash;
		if (!at_eol(r))
			return r->have_line = true;
	}
	return r->have_line = false;
}

/* How many bytes of what the cursor is at to quote in a message. */
static int token_len(const struct reader *r)
{
	int n = 0;
	while (r->p + n < r->eol && !isspace((unsigned char)r->p[n]) && (n == 0 || !strchr(",()[]", r->p[n])))
		n++;
	return n;
}

static bool expected(struct reader *r, const char *what)
{
	if (at_eol(r))
		return fail(r, "expected %s at the end of the line", what);
	return fail(r, "expected %s, found `%.*s`", what, token_len(r), r->p);
}

static bool accept(struct reader *r, const char *s)
{
	skip_blanks(r);
	size_t n = strlen(s);
	if ((size_t)(r->eol - r->p) < n || memcmp(r->p, s, n))
		return false;
	r->p += n;
	return true;
}

static bool expect(struct reader *r, const char *s)
{
	char what[16];
	snprintf(what, sizeof(what), "`%s`", s);
	return accept(r, s) || expected(r, what);
}

/* word := [A-Za-z0-9_]+ ; into buf, cut to its size */
static size_t read_word(struct reader *r, char *buf, size_t size)
{
	skip_blanks(r);
	size_t n = 0;
	while (r->p + n < r->eol && (isalnum((unsigned char)r->p[n]) || r->p[n] == '_'))
		n++;
	snprintf(buf, size, "%.*s", (int)n, r->p);
	r->p += n;
	return n;
}

/* number := ["-"] digits ; in [lo, hi].  Accumulated unsigned, so that
 * INT64_MIN, which %lld prints, reads back. */
static bool read_number(struct reader *r, int64_t lo, int64_t hi, const char *what, int64_t *out)
{
	skip_blanks(r);
	const char *start = r->p;
	bool neg = r->p < r->eol && *r->p == '-';
	if (neg || (r->p < r->eol && *r->p == '+'))
		r->p++;
	if (r->p == r->eol || !isdigit((unsigned char)*r->p)) {
		r->p = start;
		return expected(r, what);
	}
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	bool overflow = false;
	for (; r->p < r->eol && isdigit((unsigned char)*r->p); r->p++) {
		unsigned d = (unsigned)(*r->p - '0');
		overflow |= v > (limit - d) / 10;
		if (!overflow)
			v = v * 10 + d;
	}
	int64_t x = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (overflow || x < lo || x > hi) {
		fail(r, "%s `%.*s` is out of range (%" PRId64 " to %" PRId64 ")", what,
		     (int)(r->p - start), start, lo, hi);
		return false;
	}
	*out = x;
	return true;
}

static bool read_int(struct reader *r, int64_t lo, int64_t hi, const char *what, int *out)
{
	int64_t v;
	if (!read_number(r, lo, hi, what, &v))
		return false;
	*out = (int)v;
	return true;
}

/* ref := PREFIX digits, with no blank between: v3, b12, s0 */
static bool read_ref(struct reader *r, char prefix, const char *what, int *out)
{
	skip_blanks(r);
	if (r->p + 1 >= r->eol || *r->p != prefix || !isdigit((unsigned char)r->p[1]))
		return expected(r, what);
	r->p++;
	return read_int(r, 0, MAX_NUMBER, what, out);
}

static bool at_ref(const struct reader *r, char prefix)
{
	return r->p + 1 < r->eol && *r->p == prefix && isdigit((unsigned char)r->p[1]);
}

/* offset := ("+" | "-") digits, as %+d writes it; absent means +0 */
static bool read_offset(struct reader *r, int32_t *off)
{
	skip_blanks(r);
	*off = 0;
	if (r->p == r->eol || (*r->p != '+' && *r->p != '-'))
		return true;
	int v;
	if (!read_int(r, INT32_MIN, INT32_MAX, "an offset", &v))
		return false;
	*off = v;
	return true;
}

/* ---- operands ------------------------------------------------------------ */

static void mention_vreg(struct reader *r, int v)
{
	while (r->f->nvregs <= v)
		ir_vreg_new(r->f);
}

/* val := vN | number | "_" ; `want` says which the instruction may take. */
enum val_want { WANT_REG = 1, WANT_IMM32 = 2, WANT_IMM64 = 4 };

static bool read_val(struct reader *r, unsigned want, const char *what, struct ir_val *v)
{
	skip_blanks(r);
	if (at_ref(r, 'v')) {
		int reg;
		if (!read_ref(r, 'v', what, &reg))
			return false;
		mention_vreg(r, reg);
		*v = ir_reg(reg);
		return true;
	}
	if (!(want & (WANT_IMM32 | WANT_IMM64))) {
		if (r->p < r->eol && (isdigit((unsigned char)*r->p) || strchr("-+_", *r->p)))
			return fail(r, "%s must be a register, not `%.*s`", what, token_len(r), r->p);
		return expected(r, what);
	}
	if (r->p < r->eol && *r->p == '_')
		return fail(r, "%s is missing (`_`)", what);
	int64_t lo = want & WANT_IMM64 ? INT64_MIN : INT32_MIN, hi = want & WANT_IMM64 ? INT64_MAX : INT32_MAX;
	int64_t imm;
	if (!read_number(r, lo, hi, what, &imm))
		return false;
	*v = ir_imm(imm);
	return true;
}

static bool read_slot_ref(struct reader *r, int *slot)
{
	if (!read_ref(r, 's', "a slot (sN)", slot))
		return false;
	if (*slot >= r->f->slots.count)
		return fail(r, "slot s%d is not declared (the function has %d)", *slot, r->f->slots.count);
	return true;
}

/* addr := "[" (vN | sN) offset "]" */
static bool read_addr(struct reader *r, struct ir_addr *m)
{
	if (!expect(r, "["))
		return false;
	skip_blanks(r);
	*m = (struct ir_addr){.base = -1, .slot = -1};
	if (at_ref(r, 'v')) {
		if (!read_ref(r, 'v', "a base register", &m->base))
			return false;
		mention_vreg(r, m->base);
	} else if (!at_ref(r, 's')) {
		return expected(r, "a base register or slot");
	} else if (!read_slot_ref(r, &m->slot)) {
		return false;
	}
	return read_offset(r, &m->off) && expect(r, "]");
}

/* Block `id`, created now if unseen (with the ids below it, which the
 * builder hands out in order), so that a forward jump has its block. */
static struct block_ref *block_for(struct reader *r, int id)
{
	while (r->f->nblock_ids <= id) {
		struct block_ref ref = {ir_block_create(r->arena, r->f), 0, false};
		ARENA_PUSH(r->arena, r->blocks, ref);
	}
	return &r->blocks.items[id];
}

/* target := bN */
static bool read_target(struct reader *r, int *id)
{
	if (!read_ref(r, 'b', "a block (bN)", id))
		return false;
	struct block_ref *ref = block_for(r, *id);
	if (!ref->mentioned_at)
		ref->mentioned_at = r->line;
	return true;
}

/* cond := "==" | "!=" | "<" | ... | "s>=" | "&" (ir_cond_name) */
static bool read_cond(struct reader *r, enum ir_cond *c)
{
	skip_blanks(r);
	size_t n = r->p < r->eol && *r->p == 's' ? 1 : 0;
	while (r->p + n < r->eol && strchr("=!<>&", r->p[n]))
		n++;
	for (int i = IRC_EQ; i <= IRC_SET; i++) {
		const char *name = ir_cond_name((enum ir_cond)i);
		if (n && strlen(name) == n && !memcmp(name, r->p, n)) {
			*c = (enum ir_cond)i;
			r->p += n;
			return true;
		}
	}
	return expected(r, "a condition (==, !=, <, <=, >, >=, s<, s<=, s>, s>=, &)");
}

/* ---- instructions ----------------------------------------------------------- */

/* call := "call" HELPER "(" [val ("," val)*] ")" */
static bool read_call(struct reader *r, struct ir_insn *in)
{
	if (!read_number(r, 0, INT32_MAX, "a helper number", &in->imm) || !expect(r, "("))
		return false;
	if (accept(r, ")"))
		return true;
	in->args = ARENA_ARRAY(r->arena, struct ir_val, IR_MAX_ARGS);
	do {
		if (in->nargs == IR_MAX_ARGS)
			return fail(r, "a call takes at most %d arguments", IR_MAX_ARGS);
		if (!read_val(r, WANT_REG | WANT_IMM64, "an argument", &in->args[in->nargs++]))
			return false;
	} while (accept(r, ","));
	return expect(r, ")");
}

/* jmp := "jmp" bN ; br := "br" vA cond val "," bT "," bF ; ret := "ret" val */
static bool read_branch(struct reader *r, struct ir_insn *in)
{
	switch (in->op) {
	case IR_JMP:
		return read_target(r, &in->target[0]);
	case IR_BR:
	{
		enum ir_cond cond = IRC_EQ; /* a bit-field has no address */
		bool ok = read_val(r, WANT_REG, "the first operand of br", &in->a) && read_cond(r, &cond) &&
			  read_val(r, WANT_REG | WANT_IMM32, "the second operand of br", &in->b) &&
			  expect(r, ",") && read_target(r, &in->target[0]) && expect(r, ",") &&
			  read_target(r, &in->target[1]);
		in->cond = cond;
		return ok;
	}
	default:
		return read_val(r, WANT_REG | WANT_IMM64, "the value returned", &in->a);
	}
}

/* A fieldadd's CO-RE access: "ID PATH", PATH digits and colons ("0:5:2"). */
static bool read_core_access(struct reader *r, struct ir_insn *in)
{
	int64_t id;
	if (!read_number(r, 1, UINT32_MAX, "a BTF type id", &id))
		return false;
	skip_blanks(r);
	size_t n = 0;
	while (r->p + n < r->eol && (isdigit((unsigned char)r->p[n]) || r->p[n] == ':'))
		n++;
	if (!n || !isdigit((unsigned char)r->p[0]))
		return expected(r, "an access path (0:5:2)");
	struct ir_core_access c = {(uint32_t)id, arena_strndup(r->arena, r->p, n)};
	r->p += n;
	in->imm = r->f->core.count;
	ARENA_PUSH(r->arena, r->f->core, c);
	return true;
}

/* The operands of `in`, whose op (and size) are read. */
static bool read_operands(struct reader *r, struct ir_insn *in)
{
	const char *name = ir_op_name(in->op);
	switch (ir_op_kind(in->op)) {
	case IRK_CONST: /* const NUMBER ; ctx ; arg N */
		if (in->op == IR_ARG)
			return read_number(r, 0, IR_MAX_ARGS - 1, "an argument number", &in->imm);
		return in->op != IR_CONST || read_number(r, INT64_MIN, INT64_MAX, "a constant", &in->imm);
	case IRK_UNARY: /* mov val ; neg vA ; zext32 vA -- the emitter moves an immediate only */
		if (in->op == IR_FIELDSIZE) /* fieldsize N, btf ID PATH */
			return read_val(r, WANT_IMM32, "the size", &in->a) && expect(r, ",") &&
			       expect(r, "btf") && read_core_access(r, in);
		return read_val(r, in->op == IR_MOV ? WANT_REG | WANT_IMM64 : WANT_REG, "the operand", &in->a);
	case IRK_BINARY: /* OP vA "," val -- BPF's two-address form: the first is a register */
		if (!read_val(r, WANT_REG, "the first operand", &in->a) || !expect(r, ","))
			return false;
		if (ir_is_core_op(in->op)) /* fieldadd vA, IMM, btf ID PATH */
			return read_val(r, WANT_IMM32, "the relocated immediate", &in->b) && expect(r, ",") &&
			       expect(r, "btf") && read_core_access(r, in);
		return read_val(r, WANT_REG | WANT_IMM32, "the second operand", &in->b);
	case IRK_LOAD:
		return read_addr(r, &in->mem);
	case IRK_STORE: /* an atomic add has no immediate form */
		return read_addr(r, &in->mem) && expect(r, ",") &&
		       read_val(r, in->op == IR_STORE ? WANT_REG | WANT_IMM32 : WANT_REG, "the value stored",
				&in->a);
	case IRK_ADDR: /* frame sN offset ; map N ; funcaddr N ; mapval N offset */
		if (in->op == IR_FRAME)
			return read_slot_ref(r, &in->mem.slot) && read_offset(r, &in->mem.off);
		return read_number(r, 0, INT32_MAX, "a map index", &in->imm) &&
		       (in->op == IR_MAP || in->op == IR_FUNCADDR || read_offset(r, &in->mem.off));
	case IRK_CALL:
		return read_call(r, in);
	case IRK_BRANCH:
		return read_branch(r, in);
	}
	return fail(r, "internal error: `%s` has no operand reader", name);
}

static bool lookup_op(struct reader *r, const char *word, enum ir_op *op)
{
	const char *names[IR_NUM_OPS + 1];
	for (int i = 0; i < IR_NUM_OPS; i++) {
		names[i] = ir_op_name((enum ir_op)i);
		if (!strcmp(word, names[i])) {
			*op = (enum ir_op)i;
			return true;
		}
	}
	if (!*word)
		return expected(r, "an operation");
	names[IR_NUM_OPS] = NULL;
	const char *near = diag_closest(word, names);
	fail(r, "unknown operation `%s`", word);
	if (near)
		fprintf(r->err, "%s:%d: hint: did you mean `%s`?\n", r->file, r->line, near);
	return false;
}

/* OP[.SIZE[s]] -- loads and stores say how many bytes, loads whether signed */
static bool read_op(struct reader *r, enum ir_op *op, uint8_t *size, bool *is_signed)
{
	char word[32];
	read_word(r, word, sizeof(word));
	if (!lookup_op(r, word, op))
		return false;
	enum ir_kind kind = ir_op_kind(*op);
	bool memory = kind == IRK_LOAD || kind == IRK_STORE;
	if (r->p == r->eol || *r->p != '.')
		return !memory || fail(r, "`%s` needs a size: %s.1, .2, .4 or .8", word, word);
	if (!memory)
		return fail(r, "`%s` takes no size", word);
	r->p++;
	int n;
	if (!read_int(r, 0, 8, "a size", &n))
		return false;
	if (n != 1 && n != 2 && n != 4 && n != 8)
		return fail(r, "the size of `%s` must be 1, 2, 4 or 8", word);
	*size = (uint8_t)n;
	*is_signed = r->p < r->eol && *r->p == 's';
	if (*is_signed && kind != IRK_LOAD)
		return fail(r, "only a load sign-extends (`%s.%ds`)", word, n);
	r->p += *is_signed;
	return true;
}

static bool defines_value(enum ir_op op)
{
	enum ir_kind k = ir_op_kind(op);
	return k != IRK_STORE && k != IRK_BRANCH && k != IRK_CALL;
}

/* insn := [vD "="] op operands */
static bool read_insn(struct reader *r)
{
	int dst = -1;
	if (at_ref(r, 'v') && (!read_ref(r, 'v', "a register", &dst) || !expect(r, "=")))
		return false;
	enum ir_op op;
	uint8_t size = 0;
	bool is_signed = false;
	if (!read_op(r, &op, &size, &is_signed))
		return false;
	if (!r->cur)
		return fail(r, "`%s` before the first block label", ir_op_name(op));
	int n = r->cur->insns.count;
	if (n && ir_is_terminator(r->cur->insns.items[n - 1].op))
		return fail(r, "`%s` after b%d's %s: a block ends at its jmp, br or ret", ir_op_name(op),
			    r->cur->id, ir_op_name(r->cur->insns.items[n - 1].op));
	if (dst >= 0 && !defines_value(op) && op != IR_CALL)
		return fail(r, "`%s` has no result to put in v%d", ir_op_name(op), dst);
	if (dst < 0 && defines_value(op))
		return fail(r, "`%s` needs a result register: vN = %s ...", ir_op_name(op), ir_op_name(op));
	if (dst >= 0)
		mention_vreg(r, dst);
	struct ir_insn *in = ir_emit(r->arena, r->cur, op, (eq_loc){r->line, 1, 1});
	in->dst = dst;
	in->size = size;
	in->is_signed = is_signed;
	if (!read_operands(r, in))
		return false;
	return at_eol(r) || fail(r, "unexpected `%.*s` after the instruction", token_len(r), r->p);
}

/* ---- functions ------------------------------------------------------------- */

/* slot := "slot" sN OFFSET SIZE ["spill"] ; in index order, before the blocks */
static bool read_slot(struct reader *r)
{
	struct ir_func *f = r->f;
	int index, offset, size;
	if (!read_ref(r, 's', "a slot (sN)", &index))
		return false;
	if (index != f->slots.count)
		return fail(r, "slot s%d out of order: the next slot is s%d", index, f->slots.count);
	if (r->cur)
		return fail(r, "slot s%d after the first block: slots come first", index);
	if (!read_int(r, -512, 0, "a frame offset", &offset) || !read_int(r, 0, 512, "a slot size", &size))
		return false;
	if (offset + size > 0)
		return fail(r, "slot s%d reaches above the frame pointer (%d + %d > 0)", index, offset, size);
	char word[16];
	bool spill = read_word(r, word, sizeof(word)) > 0;
	if (spill && strcmp(word, "spill"))
		return fail(r, "unexpected `%s` after slot s%d: only `spill` may follow", word, index);
	if (!at_eol(r))
		return expected(r, "the end of the slot line");
	/* the builder for the entry, then the printed place: see the top comment */
	int i = ir_slot_new(r->arena, f, (uint32_t)size, spill); /* before items: it may move them */
	struct ir_slot *s = &f->slots.items[i];
	s->offset = offset;
	s->size = (uint32_t)size;
	return true;
}

/* label := bN ":" ; a block is placed where its label stands */
static bool read_label(struct reader *r, int id)
{
	if (!expect(r, ":") || (!at_eol(r) && !expected(r, "the end of the line after the label")))
		return false;
	if (r->cur && (!r->cur->insns.count ||
		       !ir_is_terminator(r->cur->insns.items[r->cur->insns.count - 1].op)))
		return fail(r, "b%d does not end in jmp, br or ret", r->cur->id);
	struct block_ref *ref = block_for(r, id);
	if (ref->placed)
		return fail(r, "b%d is labelled twice", id);
	ref->placed = true;
	ir_block_place(r->arena, r->f, ref->block);
	r->cur = ref->block;
	return true;
}

/* What the passes rely on and no single line shows: every jump lands on a
 * label, the last block is closed, every vreg read is written somewhere. */
static bool check_func(struct reader *r)
{
	struct ir_func *f = r->f;
	if (!r->cur)
		return fail(r, "function %s has no blocks", f->name);
	if (!r->cur->insns.count || !ir_is_terminator(r->cur->insns.items[r->cur->insns.count - 1].op))
		return fail(r, "b%d does not end in jmp, br or ret", r->cur->id);
	int missing = -1; /* the one jumped to first, as a reader goes down the text */
	for (int id = 0; id < r->blocks.count; id++) {
		const struct block_ref *ref = &r->blocks.items[id];
		if (ref->mentioned_at && !ref->placed &&
		    (missing < 0 || ref->mentioned_at < r->blocks.items[missing].mentioned_at))
			missing = id;
	}
	if (missing >= 0) {
		r->line = r->blocks.items[missing].mentioned_at;
		return fail(r, "jump to b%d, which is not a block of %s", missing, f->name);
	}
	bool *defined = arena_alloc(r->arena, (size_t)f->nvregs + 1);
	for (int i = 0; i < f->blocks.count; i++)
		for (int j = 0; j < f->blocks.items[i]->insns.count; j++)
			if (f->blocks.items[i]->insns.items[j].dst >= 0)
				defined[f->blocks.items[i]->insns.items[j].dst] = true;
	for (int i = 0; i < f->blocks.count; i++)
		for (int j = 0; j < f->blocks.items[i]->insns.count; j++) {
			const struct ir_insn *in = &f->blocks.items[i]->insns.items[j];
			int u[IR_MAX_ARGS + 3], n = ir_uses(in, u);
			for (int k = 0; k < n; k++)
				if (!defined[u[k]]) {
					r->line = in->loc.line;
					return fail(r, "v%d is read but never written", u[k]);
				}
		}
	return true;
}

/* One line of a function's body: a slot, a label or an instruction. */
static bool read_body_line(struct reader *r)
{
	char word[16];
	const char *start = r->p;
	read_word(r, word, sizeof(word));
	if (!strcmp(word, "slot"))
		return read_slot(r);
	r->p = start;
	skip_blanks(r);
	if (at_ref(r, 'b')) {
		int id;
		const char *label = r->p;
		if (!read_ref(r, 'b', "a block", &id))
			return false;
		skip_blanks(r);
		if (r->p < r->eol && *r->p == ':')
			return read_label(r, id);
		r->p = label; /* `br ...` starts with b too */
	}
	return read_insn(r);
}

static bool at_func_header(struct reader *r)
{
	char word[16];
	const char *start = r->p;
	bool header = read_word(r, word, sizeof(word)) && (!strcmp(word, "func") || !strcmp(word, "subprog"));
	r->p = start;
	return header;
}

/* func := "func" NAME "frame" BYTES, then its lines up to the next func or
 * subprog line (and the same for a subprog); *is_subprog says which. */
static struct ir_func *read_func(struct reader *r, bool *is_subprog)
{
	char word[16];
	const char *start = r->p;
	read_word(r, word, sizeof(word));
	*is_subprog = !strcmp(word, "subprog");
	if (strcmp(word, "func") && !*is_subprog) {
		r->p = start;
		expected(r, "`func NAME frame BYTES`");
		return NULL;
	}
	skip_blanks(r);
	int n = token_len(r);
	if (!n || !strncmp(r->p, "frame", 5)) {
		expected(r, "a function name");
		return NULL;
	}
	r->f = ir_func_new(r->arena, arena_strndup(r->arena, r->p, (size_t)n));
	r->p += n;
	r->blocks.count = r->blocks.cap = 0;
	r->blocks.items = NULL;
	r->cur = NULL;
	int frame;
	if (!expect(r, "frame") || !read_int(r, 0, INT32_MAX, "a frame size", &frame) ||
	    (!at_eol(r) && !expected(r, "the end of the func line")))
		return NULL;
	while (next_line(r) && !at_func_header(r)) /* a header is left loaded for the next read */
		if (!read_body_line(r))
			return NULL;
	if (!check_func(r))
		return NULL;
	r->f->frame_size = r->f->frame_max = (uint32_t)frame; /* after the slots' own sums */
	return r->f;
}

/* Every funcaddr of a program, and of its subprograms, names one of them. */
static bool check_subprog_refs(struct reader *r, const struct ir_func *prog)
{
	for (int k = -1; k < prog->subprogs.count; k++) {
		const struct ir_func *f = k < 0 ? prog : prog->subprogs.items[k];
		for (int i = 0; i < f->blocks.count; i++)
			for (int j = 0; j < f->blocks.items[i]->insns.count; j++) {
				const struct ir_insn *in = &f->blocks.items[i]->insns.items[j];
				if (in->op == IR_FUNCADDR && in->imm >= prog->subprogs.count) {
					r->line = in->loc.line;
					return fail(r, "funcaddr %lld: %s has %d subprogram%s", (long long)in->imm,
						    prog->name, prog->subprogs.count,
						    prog->subprogs.count == 1 ? "" : "s");
				}
			}
	}
	return true;
}

/* Up to max_funcs functions (0: any number); a text with more is an error. */
static struct ir_func **read_text(struct reader *r, int max_funcs, int *count)
{
	struct {
		struct ir_func **items;
		int count, cap;
	} funcs = {0};
	*count = 0;
	if (!next_line(r)) {
		fail(r, "no function in the text");
		return NULL;
	}
	while (r->have_line) {
		bool is_subprog = !strncmp(r->p + strspn(r->p, " \t"), "subprog", 7);
		if (is_subprog && !funcs.count) {
			fail(r, "a subprog before any func: a subprogram follows its program");
			return NULL;
		}
		if (!is_subprog && max_funcs && funcs.count == max_funcs) {
			fail(r, "a second function: ir_parse() reads one, ir_parse_all() several");
			return NULL;
		}
		struct ir_func *f = read_func(r, &is_subprog);
		if (!f)
			return NULL;
		if (is_subprog)
			ARENA_PUSH(r->arena, funcs.items[funcs.count - 1]->subprogs, f);
		else
			ARENA_PUSH(r->arena, funcs, f);
	}
	for (int i = 0; i < funcs.count; i++)
		if (!check_subprog_refs(r, funcs.items[i]))
			return NULL;
	*count = funcs.count;
	return funcs.items;
}

struct ir_func **ir_parse_all(struct arena *a, const char *text, const char *name_for_errors,
			      FILE *err, int *count)
{
	struct reader r = {.arena = a, .file = name_for_errors, .err = err, .next = text};
	return read_text(&r, 0, count);
}

struct ir_func *ir_parse(struct arena *a, const char *text, const char *name_for_errors, FILE *err)
{
	struct reader r = {.arena = a, .file = name_for_errors, .err = err, .next = text};
	int n;
	struct ir_func **funcs = read_text(&r, 1, &n);
	return funcs ? funcs[0] : NULL;
}
