/* disasm.c - BPF instructions in the kernel verifier log's syntax
 * (`r1 = *(u64 *)(r10 -8)`, `if r0 == 0x0 goto pc+4`), so what -d bpf
 * prints reads like what the kernel prints when it complains.
 *
 * The syntax is the kernel's print_bpf_insn() (kernel/bpf/disasm.c) without
 * its "(code)" column, with these choices where the kernel has nothing to
 * say or says it in a way that does not help here:
 *   - a 64-bit constant load ends in " ll" (`r1 = 0x1234 ll`), as in
 *     llvm-objdump, to show that it takes two slots;
 *   - a map load names the map by the image's reference table: `r1 = map[@forks]`,
 *     `r0 = map[ebpfq_data][0]+8` for a BPF_PSEUDO_MAP_VALUE address (the
 *     shape bpftool prints as `map[id:5][0]+8`); without the image (plain
 *     bpf_insn_print) it is `map[fd:N]` with the instruction's imm;
 *   - a helper we do not know is `call unknown#N`, as the kernel prints an id
 *     it does not know.
 * These strings are held exactly by tests/vcheck and the tests/ir goldens.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "helpers.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* sign-extending load (Linux 6.6); not in 6.1's headers */
#endif

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=", [BPF_MUL >> 4] = "*=", [BPF_DIV >> 4] = "/=",
	[BPF_OR >> 4] = "|=", [BPF_AND >> 4] = "&=", [BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=", [BPF_ARSH >> 4] = "s>>=",
};

/* The operations an atomic instruction may carry in imm (without BPF_FETCH). */
static const char *const atomic_ops[16] = {
	[BPF_ADD >> 4] = "add", [BPF_AND >> 4] = "and", [BPF_OR >> 4] = "or", [BPF_XOR >> 4] = "xor",
};

static const char *const jmp_ops[16] = {
	[BPF_JEQ >> 4] = "==", [BPF_JGT >> 4] = ">", [BPF_JGE >> 4] = ">=", [BPF_JSET >> 4] = "&",
	[BPF_JNE >> 4] = "!=", [BPF_JSGT >> 4] = "s>", [BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<",
	[BPF_JLE >> 4] = "<=", [BPF_JSLT >> 4] = "s<", [BPF_JSLE >> 4] = "s<=",
};

static const char *size_name(int size_code, bool sign)
{
	switch (size_code) {
	case BPF_B: return sign ? "s8" : "u8";
	case BPF_H: return sign ? "s16" : "u16";
	case BPF_W: return sign ? "s32" : "u32";
	default: return "u64";
	}
}

static const char *or_q(const char *s)
{
	return s ? s : "?";
}

/* One line of output, formatted here by a call per piece rather than by
 * fprintf or a format string: -d bpf of a long probe prints tens of
 * thousands of lines, and glibc's fprintf (locale, wide characters, a lock
 * per call) was a third of that whole compile (bench/compiletime.sh); a
 * format string read at run time, one character and one va_arg at a time,
 * was still a fifth.  A line is written in place into the caller's buffer,
 * which has room for LINE_ROOM bytes. */
enum {
	LINE_ROOM = 512,
	/* What a line holds besides the strings it names: its fixed text and
	 * numbers, under 100 bytes; a string is cut to leave room for them,
	 * so that nothing else needs a check. */
	LINE_FIXED = 128,
};

struct line {
	char *p;         /* where the next character goes */
	const char *cut; /* a string is not written past this */
};

static void line_start(struct line *l, char *buf)
{
	l->p = buf;
	l->cut = buf + LINE_ROOM - LINE_FIXED;
}

static void put_char(struct line *l, char c)
{
	*l->p++ = c;
}

/* A string literal, copied with its length known at compile time. */
#define PUT_LIT(l, s) (memcpy((l)->p, s, sizeof(s) - 1), (l)->p += sizeof(s) - 1)

static void put_text(struct line *l, const char *s)
{
	while (*s && l->p < l->cut)
		*l->p++ = *s++;
}

static const char two_digits[] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";

/* v in base 10 ("%u"), written from its last digit back, in place: most
 * numbers here are registers, small offsets and instruction indexes */
static void put_unsigned(struct line *l, uint64_t v)
{
	if (v < 10) {
		*l->p++ = (char)('0' + v);
		return;
	}
	unsigned n = 2;
	for (uint64_t bound = 100; n < 20 && v >= bound; bound *= 10)
		n++;
	char *end = l->p + n, *p = end;
	while (v >= 100) {
		p -= 2;
		memcpy(p, &two_digits[2 * (v % 100)], 2);
		v /= 100;
	}
	if (v < 10) {
		*--p = (char)('0' + v);
	} else {
		p -= 2;
		memcpy(p, &two_digits[2 * v], 2);
	}
	l->p = end;
}

/* "%d", or "%+d" when plus */
static void put_int(struct line *l, int v, bool plus)
{
	if (v < 0 || plus)
		put_char(l, v < 0 ? '-' : '+');
	put_unsigned(l, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* v in base 16, at least `width` digits (zero-padded): "%x", "%02x" */
static void put_hex(struct line *l, uint64_t v, int width)
{
	int n = 1;
	while (n < 16 && v >> 4 * n)
		n++;
	if (n < width)
		n = width;
	for (char *p = l->p + n; p > l->p; v >>= 4)
		*--p = "0123456789abcdef"[v & 15];
	l->p += n;
}

/* "r%d" or "w%d": a register is 0-10 (vcheck's concern, not ours, if not) */
static void put_reg(struct line *l, char r, int n)
{
	put_char(l, r);
	if (n >= 0 && n < 10)
		put_char(l, (char)('0' + n));
	else
		put_int(l, n, false);
}

/* "(%s *)(r%d %+d)": a size and an address */
static void put_addr(struct line *l, const char *size, int reg, int off)
{
	put_char(l, '(');
	put_text(l, size);
	PUT_LIT(l, " *)(");
	put_reg(l, 'r', reg);
	put_char(l, ' ');
	put_int(l, off, true);
	put_char(l, ')');
}

/* "(%02x) what": an instruction we cannot name */
static void put_unknown(struct line *l, uint8_t code)
{
	put_char(l, '(');
	put_hex(l, code, 2);
	PUT_LIT(l, ") unknown ");
}

static void print_alu(struct line *out, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_ALU64 ? 'r' : 'w';
	int op = BPF_OP(in->code), d = in->dst_reg;
	bool x = BPF_SRC(in->code) == BPF_X;
	if (op == BPF_END) {
		/* byte swaps always name the whole register, as the kernel does */
		put_reg(out, 'r', d);
		if (BPF_CLASS(in->code) == BPF_ALU64)
			PUT_LIT(out, " = bswap");
		else if (x)
			PUT_LIT(out, " = be");
		else
			PUT_LIT(out, " = le");
		put_int(out, in->imm, false);
		put_char(out, ' ');
		put_reg(out, 'r', d);
		return;
	}
	put_reg(out, r, d);
	if (op == BPF_NEG) {
		PUT_LIT(out, " = -");
		put_reg(out, r, d);
		return;
	}
	const char *name = or_q(alu_ops[op >> 4]);
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		name = op == BPF_DIV ? "s/=" : "s%=";
	/* a move with off 8/16/32 sign-extends from that many bits */
	if (x && op == BPF_MOV && (in->off == 8 || in->off == 16 || in->off == 32)) {
		PUT_LIT(out, " = (s");
		put_int(out, in->off, false);
		put_char(out, ')');
		put_reg(out, r, in->src_reg);
		return;
	}
	put_char(out, ' ');
	put_text(out, name);
	put_char(out, ' ');
	if (x)
		put_reg(out, r, in->src_reg);
	else
		put_int(out, in->imm, false);
}

static void print_call(struct line *out, const struct bpf_insn *in)
{
	if (in->src_reg == BPF_PSEUDO_CALL) {
		PUT_LIT(out, "call pc");
		put_int(out, in->imm, true);
		return;
	}
	if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		PUT_LIT(out, "call kernel-function#");
	} else {
		const struct bpf_helper_info *h = bpf_helper(in->imm);
		if (h) {
			PUT_LIT(out, "call bpf_");
			put_text(out, h->name);
			put_char(out, '#');
		} else {
			PUT_LIT(out, "call unknown#");
		}
	}
	put_int(out, in->imm, false);
}

static void print_jmp(struct line *out, const struct bpf_insn *in)
{
	int op = BPF_OP(in->code);
	bool j32 = BPF_CLASS(in->code) == BPF_JMP32;
	char r = j32 ? 'w' : 'r';
	if (op == BPF_CALL) {
		print_call(out, in);
	} else if (op == BPF_EXIT) {
		PUT_LIT(out, "exit");
	} else if (op == BPF_JA && j32) {
		PUT_LIT(out, "gotol pc"); /* the long jump keeps its offset in imm */
		put_int(out, in->imm, true);
	} else if (op == BPF_JA) {
		PUT_LIT(out, "goto pc");
		put_int(out, in->off, true);
	} else {
		PUT_LIT(out, "if ");
		put_reg(out, r, in->dst_reg);
		put_char(out, ' ');
		put_text(out, or_q(jmp_ops[op >> 4]));
		put_char(out, ' ');
		if (BPF_SRC(in->code) == BPF_X) {
			put_reg(out, r, in->src_reg);
		} else {
			PUT_LIT(out, "0x");
			put_hex(out, (uint32_t)in->imm, 0);
		}
		PUT_LIT(out, " goto pc");
		put_int(out, in->off, true);
	}
}

static void print_atomic(struct line *out, const struct bpf_insn *in)
{
	const char *sz = size_name(BPF_SIZE(in->code), false);
	const char *bits = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	const char *op = atomic_ops[(in->imm & 0xf0) >> 4];
	int d = in->dst_reg, s = in->src_reg, off = in->off;
	if (in->imm == BPF_CMPXCHG || in->imm == BPF_XCHG) {
		/* "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
		 * "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)" */
		bool cmpxchg = in->imm == BPF_CMPXCHG;
		put_reg(out, 'r', cmpxchg ? 0 : s);
		PUT_LIT(out, " = atomic");
		put_text(out, bits);
		put_text(out, cmpxchg ? "_cmpxchg(" : "_xchg(");
		put_addr(out, sz, d, off);
		put_text(out, cmpxchg ? ", r0, " : ", ");
		put_reg(out, 'r', s);
		put_char(out, ')');
	} else if (op && in->imm == (in->imm & 0xf0)) {
		/* "lock *(%s *)(r%d %+d) %s r%d" */
		PUT_LIT(out, "lock *");
		put_addr(out, sz, d, off);
		put_char(out, ' ');
		put_text(out, alu_ops[in->imm >> 4]);
		put_char(out, ' ');
		put_reg(out, 'r', s);
	} else if (op && in->imm == ((in->imm & 0xf0) | BPF_FETCH)) {
		/* "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)" */
		put_reg(out, 'r', s);
		PUT_LIT(out, " = atomic");
		put_text(out, bits);
		PUT_LIT(out, "_fetch_");
		put_text(out, op);
		put_char(out, '(');
		put_addr(out, sz, d, off);
		PUT_LIT(out, ", ");
		put_reg(out, 'r', s);
		put_char(out, ')');
	} else {
		put_unknown(out, in->code);
		PUT_LIT(out, "atomic operation 0x");
		put_hex(out, (uint32_t)in->imm, 0);
	}
}

static void print_mem(struct line *out, const struct bpf_insn *in)
{
	int cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code), sz = BPF_SIZE(in->code);
	if (cls == BPF_LDX) { /* "r%d = *(%s *)(r%d %+d)" */
		put_reg(out, 'r', in->dst_reg);
		PUT_LIT(out, " = *");
		put_addr(out, size_name(sz, mode == BPF_MEMSX), in->src_reg, in->off);
	} else if (cls == BPF_STX && mode == BPF_ATOMIC) {
		print_atomic(out, in);
	} else { /* "*(%s *)(r%d %+d) = r%d" or "= %d" */
		put_char(out, '*');
		put_addr(out, size_name(sz, false), in->dst_reg, in->off);
		PUT_LIT(out, " = ");
		if (cls == BPF_STX)
			put_reg(out, 'r', in->src_reg);
		else
			put_int(out, in->imm, false);
	}
}

/* A 64-bit immediate load: a map, an address in a map's value, or a plain
 * constant.  map_name is the image's name of the map, NULL if unknown
 * (then "fd:N" with the instruction's imm). */
static void print_ld_imm64(struct line *out, const struct bpf_insn *in, const char *map_name)
{
	uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	put_reg(out, 'r', in->dst_reg);
	if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
		PUT_LIT(out, " = map[");
		if (map_name) {
			put_text(out, map_name);
		} else {
			PUT_LIT(out, "fd:");
			put_int(out, in->imm, false);
		}
		put_char(out, ']');
		if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			PUT_LIT(out, "[0]+");
			put_unsigned(out, (uint32_t)in[1].imm);
		}
	} else if (in->src_reg == BPF_PSEUDO_FUNC) { /* a subprogram, relative to the next insn */
		PUT_LIT(out, " = func[pc");
		put_int(out, in->imm + 1, true);
		put_char(out, ']');
	} else {
		PUT_LIT(out, " = 0x");
		put_hex(out, v, 0);
		PUT_LIT(out, " ll");
	}
}

/* The legacy packet loads: only socket filters have them, but printing
 * them keeps a dump of foreign code readable. */
static void print_ld(struct line *out, const struct bpf_insn *in)
{
	const char *sz = size_name(BPF_SIZE(in->code), false);
	if (BPF_MODE(in->code) != BPF_ABS && BPF_MODE(in->code) != BPF_IND) {
		put_unknown(out, in->code);
		PUT_LIT(out, "instruction");
		return;
	}
	/* "r0 = *(%s *)skb[%d]" or "r0 = *(%s *)skb[r%d + %d]" */
	PUT_LIT(out, "r0 = *(");
	put_text(out, sz);
	PUT_LIT(out, " *)skb[");
	if (BPF_MODE(in->code) == BPF_IND) {
		put_reg(out, 'r', in->src_reg);
		PUT_LIT(out, " + ");
	}
	put_int(out, in->imm, false);
	put_char(out, ']');
}

static int print_one(struct line *out, const struct bpf_insn *insns, uint32_t i, uint32_t count,
		     const char *map_name)
{
	const struct bpf_insn *in = &insns[i];
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		print_alu(out, in);
		return 1;
	case BPF_JMP:
	case BPF_JMP32:
		print_jmp(out, in);
		return 1;
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		print_mem(out, in);
		return 1;
	default: /* BPF_LD */
		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && i + 1 < count) {
			print_ld_imm64(out, in, map_name);
			return 2;
		}
		print_ld(out, in);
		return 1;
	}
}

int bpf_insn_print(FILE *out, const struct bpf_insn *insns, uint32_t index, uint32_t count)
{
	char text[LINE_ROOM];
	struct line l;
	line_start(&l, text);
	int n = print_one(&l, insns, index, count, NULL);
	fwrite(text, 1, (size_t)(l.p - text), out);
	return n;
}

/* The output of bpf_prog_print, gathered so that it takes one fwrite per
 * OUT_SIZE bytes rather than one per line. */
enum { OUT_SIZE = 64 * 1024 };

struct out {
	FILE *f;
	size_t len;
	char buf[OUT_SIZE];
};

static void out_flush(struct out *o)
{
	fwrite(o->buf, 1, o->len, o->f);
	o->len = 0;
}

/* Room for n more bytes at o->buf + o->len (n <= OUT_SIZE). */
static char *out_room(struct out *o, size_t n)
{
	if (OUT_SIZE - o->len < n)
		out_flush(o);
	return o->buf + o->len;
}

static void out_text(struct out *o, const char *s)
{
	size_t n = strlen(s);
	if (n > OUT_SIZE / 2) { /* a long one goes straight out */
		out_flush(o);
		fwrite(s, 1, n, o->f);
		return;
	}
	memcpy(out_room(o, n), s, n);
	o->len += n;
}

/* The name of the map each instruction loads, NULL where it loads none:
 * one walk over the references, not one per instruction (a long probe has
 * a reference every few instructions).  The first reference to an
 * instruction names it.  NULL where the references are in instruction
 * order (the compiler's): bpf_prog_print walks them as it goes. */
static const char **map_names(const struct eq_image *img, const struct eq_prog *p)
{
	if (eq_prog_refs_in_order(p))
		return NULL;
	const char **name = calloc(p->ninsns + 1, sizeof(*name));
	if (!name)
		abort();
	for (uint32_t r = p->nrefs; r-- > 0;)
		if (p->refs[r].insn_index < p->ninsns && (int)p->refs[r].map_index < img->nmaps)
			name[p->refs[r].insn_index] = img->maps[p->refs[r].map_index].name;
	return name;
}

/* "; <script line> @ FILE:LINE" before the first instruction of each line. */
static void print_source_line(struct out *o, const struct eq_image *img, uint32_t line)
{
	const char *file = img->file ? img->file : "<script>";
	if (line < 1)
		return;
	out_text(o, "; ");
	if ((int)line <= img->nsource_lines && img->source_lines[line - 1]) {
		const char *text = img->source_lines[line - 1];
		out_text(o, text + strspn(text, " \t"));
		out_text(o, " ");
	}
	out_text(o, "@ ");
	out_text(o, file);
	struct line l;
	line_start(&l, out_room(o, LINE_ROOM));
	put_char(&l, ':');
	put_unsigned(&l, line);
	put_char(&l, '\n');
	o->len = (size_t)(l.p - o->buf);
}

/* An instruction index as "%4u: ", counted up in decimal as the listing
 * goes (by 1, or 2 after a 64-bit load) rather than converted for every
 * line: the digits are text[start..INDEX_END), spaces before them, ": "
 * after, and the bytes past that are room for a copy of fixed size. */
enum { INDEX_END = 12 };

struct index_text {
	char text[32];
	int start;
};

static void index_init(struct index_text *x)
{
	memset(x->text, ' ', sizeof(x->text));
	x->start = INDEX_END - 1;
	x->text[x->start] = '0';
	memcpy(&x->text[INDEX_END], ": ", 2);
}

static void index_step(struct index_text *x)
{
	int at = INDEX_END - 1;
	while (at >= x->start && x->text[at] == '9')
		x->text[at--] = '0';
	if (at < x->start)
		x->text[x->start = at] = '1';
	else
		x->text[at]++;
}

static void put_index(struct line *l, const struct index_text *x)
{
	int from = x->start < INDEX_END - 4 ? x->start : INDEX_END - 4;
	memcpy(l->p, &x->text[from], 16); /* from <= 11: within text */
	l->p += INDEX_END + 2 - from;
}

void bpf_prog_print(FILE *out, const struct eq_image *img, const struct eq_prog *p)
{
	fprintf(out, "%s: %s (%u instructions)\n", p->name, p->probe_name, p->ninsns);
	struct out *o = malloc(sizeof(*o));
	if (!o)
		abort();
	o->f = out;
	o->len = 0;
	uint32_t line = 0, next_line = 0;
	const char **map_name = map_names(img, p);
	uint32_t ref = 0; /* the first reference at or after i, without map_name */
	struct index_text index;
	index_init(&index);
	for (uint32_t i = 0; i < p->ninsns;) {
		while (next_line < p->nlines && p->lines[next_line].insn_off <= i) {
			uint32_t l = p->lines[next_line++].line;
			if (l != line)
				print_source_line(o, img, l);
			line = l;
		}
		struct line l;
		line_start(&l, out_room(o, LINE_ROOM));
		put_index(&l, &index);
		const char *name = NULL;
		if (map_name) {
			name = map_name[i];
		} else {
			while (ref < p->nrefs && p->refs[ref].insn_index < i)
				ref++;
			for (uint32_t r = ref; !name && r < p->nrefs && p->refs[r].insn_index == i; r++)
				if ((int)p->refs[r].map_index < img->nmaps)
					name = img->maps[p->refs[r].map_index].name;
		}
		int n = print_one(&l, p->insns, i, p->ninsns, name);
		i += (uint32_t)n;
		while (n-- > 0)
			index_step(&index);
		put_char(&l, '\n');
		o->len = (size_t)(l.p - o->buf);
	}
	out_flush(o);
	free(o);
	free(map_name);
}
