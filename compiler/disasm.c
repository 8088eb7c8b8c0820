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
#include <stdarg.h>
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

/* One line of output, formatted here rather than by fprintf: -d bpf of a long
 * probe prints tens of thousands of lines, and glibc's fprintf (locale, wide
 * characters, a lock per call) was a third of that whole compile
 * (bench/compiletime.sh).  put() knows the conversions this file uses:
 * %c %d %+d %u %x %02x %s and PRIx64. */
struct line {
	char text[512];
	size_t len;
};

/* What a line holds besides the strings it names (%s): its fixed text and
 * numbers, under 100 bytes; a string is cut to leave room for them, so
 * that nothing else needs a check. */
enum { LINE_FIXED = 128 };

static void put_char(struct line *l, char c)
{
	l->text[l->len++] = c;
}

static void put_text(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->text) - LINE_FIXED)
		l->text[l->len++] = *s++;
}

/* v in base 10 or 16, at least `width` digits (zero-padded) */
static void put_number(struct line *l, uint64_t v, unsigned base, int width)
{
	char digits[24], *end = digits + sizeof(digits), *p = end;
	if (base == 16) /* two loops, so that each divides by a constant */
		do {
			*--p = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
	else
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
	while (end - p < width)
		*--p = '0';
	while (p < end)
		l->text[l->len++] = *p++;
}

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			l->text[l->len++] = *f;
			continue;
		}
		bool plus = f[1] == '+', long_long = false;
		f += plus;
		int width = 0;
		if (f[1] == '0') { /* %02x */
			width = f[2] - '0';
			f += 2;
		}
		if (f[1] == 'l' && f[2] == 'l') { /* PRIx64 is "lx" or "llx" */
			long_long = true;
			f += 2;
		} else if (f[1] == 'l') {
			long_long = true;
			f++;
		}
		switch (*++f) {
		case 'c':
			put_char(l, (char)va_arg(ap, int));
			break;
		case 's':
			put_text(l, va_arg(ap, const char *));
			break;
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0 || plus)
				put_char(l, v < 0 ? '-' : '+');
			put_number(l, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width);
			break;
		}
		case 'u':
			put_number(l, va_arg(ap, unsigned), 10, width);
			break;
		case 'x':
			put_number(l, long_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width);
			break;
		default: /* not used in this file */
			abort();
		}
	}
	va_end(ap);
}

static void print_alu(struct line *out, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_ALU64 ? 'r' : 'w';
	int op = BPF_OP(in->code), d = in->dst_reg;
	bool x = BPF_SRC(in->code) == BPF_X;
	if (op == BPF_END) {
		/* byte swaps always name the whole register, as the kernel does */
		if (BPF_CLASS(in->code) == BPF_ALU64)
			put(out, "r%d = bswap%d r%d", d, in->imm, d);
		else
			put(out, "r%d = %s%d r%d", d, x ? "be" : "le", in->imm, d);
		return;
	}
	if (op == BPF_NEG) {
		put(out, "%c%d = -%c%d", r, d, r, d);
		return;
	}
	const char *name = or_q(alu_ops[op >> 4]);
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		name = op == BPF_DIV ? "s/=" : "s%=";
	if (!x) {
		put(out, "%c%d %s %d", r, d, name, in->imm);
		return;
	}
	/* a move with off 8/16/32 sign-extends from that many bits */
	bool movsx = op == BPF_MOV && (in->off == 8 || in->off == 16 || in->off == 32);
	if (movsx)
		put(out, "%c%d = (s%d)%c%d", r, d, in->off, r, in->src_reg);
	else
		put(out, "%c%d %s %c%d", r, d, name, r, in->src_reg);
}

static void print_call(struct line *out, const struct bpf_insn *in)
{
	if (in->src_reg == BPF_PSEUDO_CALL) {
		put(out, "call pc%+d", in->imm);
	} else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		put(out, "call kernel-function#%d", in->imm);
	} else {
		const struct bpf_helper_info *h = bpf_helper(in->imm);
		put(out, "call %s%s#%d", h ? "bpf_" : "unknown", h ? h->name : "", in->imm);
	}
}

static void print_jmp(struct line *out, const struct bpf_insn *in)
{
	int op = BPF_OP(in->code);
	bool j32 = BPF_CLASS(in->code) == BPF_JMP32;
	char r = j32 ? 'w' : 'r';
	if (op == BPF_CALL)
		print_call(out, in);
	else if (op == BPF_EXIT)
		put_text(out, "exit");
	else if (op == BPF_JA && j32)
		put(out, "gotol pc%+d", in->imm); /* the long jump keeps its offset in imm */
	else if (op == BPF_JA)
		put(out, "goto pc%+d", in->off);
	else if (BPF_SRC(in->code) == BPF_X)
		put(out, "if %c%d %s %c%d goto pc%+d", r, in->dst_reg, or_q(jmp_ops[op >> 4]), r,
			in->src_reg, in->off);
	else
		put(out, "if %c%d %s 0x%x goto pc%+d", r, in->dst_reg, or_q(jmp_ops[op >> 4]),
			(uint32_t)in->imm, in->off);
}

static void print_atomic(struct line *out, const struct bpf_insn *in)
{
	const char *sz = size_name(BPF_SIZE(in->code), false);
	const char *bits = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	const char *op = atomic_ops[(in->imm & 0xf0) >> 4];
	int d = in->dst_reg, s = in->src_reg, off = in->off;
	if (in->imm == BPF_CMPXCHG)
		put(out, "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", bits, sz, d, off, s);
	else if (in->imm == BPF_XCHG)
		put(out, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", s, bits, sz, d, off, s);
	else if (op && in->imm == (in->imm & 0xf0))
		put(out, "lock *(%s *)(r%d %+d) %s r%d", sz, d, off, alu_ops[in->imm >> 4], s);
	else if (op && in->imm == ((in->imm & 0xf0) | BPF_FETCH))
		put(out, "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", s, bits, op, sz, d, off, s);
	else
		put(out, "(%02x) unknown atomic operation 0x%x", in->code, (uint32_t)in->imm);
}

static void print_mem(struct line *out, const struct bpf_insn *in)
{
	int cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code), sz = BPF_SIZE(in->code);
	if (cls == BPF_LDX)
		put(out, "r%d = *(%s *)(r%d %+d)", in->dst_reg, size_name(sz, mode == BPF_MEMSX),
			in->src_reg, in->off);
	else if (cls == BPF_STX && mode == BPF_ATOMIC)
		print_atomic(out, in);
	else if (cls == BPF_STX)
		put(out, "*(%s *)(r%d %+d) = r%d", size_name(sz, false), in->dst_reg, in->off,
			in->src_reg);
	else
		put(out, "*(%s *)(r%d %+d) = %d", size_name(sz, false), in->dst_reg, in->off, in->imm);
}

/* A 64-bit immediate load: a map, an address in a map's value, or a plain
 * constant.  map_name is the image's name of the map, NULL if unknown. */
static void print_ld_imm64(struct line *out, const struct bpf_insn *in, const char *map_name)
{
	uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	char fd[32];
	snprintf(fd, sizeof(fd), "fd:%d", in->imm);
	const char *map = map_name ? map_name : fd;
	if (in->src_reg == BPF_PSEUDO_MAP_FD)
		put(out, "r%d = map[%s]", in->dst_reg, map);
	else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
		put(out, "r%d = map[%s][0]+%u", in->dst_reg, map, (uint32_t)in[1].imm);
	else if (in->src_reg == BPF_PSEUDO_FUNC) /* a subprogram, relative to the next insn */
		put(out, "r%d = func[pc%+d]", in->dst_reg, in->imm + 1);
	else
		put(out, "r%d = 0x%" PRIx64 " ll", in->dst_reg, v);
}

/* The legacy packet loads: only socket filters have them, but printing
 * them keeps a dump of foreign code readable. */
static void print_ld(struct line *out, const struct bpf_insn *in)
{
	const char *sz = size_name(BPF_SIZE(in->code), false);
	if (BPF_MODE(in->code) == BPF_ABS)
		put(out, "r0 = *(%s *)skb[%d]", sz, in->imm);
	else if (BPF_MODE(in->code) == BPF_IND)
		put(out, "r0 = *(%s *)skb[r%d + %d]", sz, in->src_reg, in->imm);
	else
		put(out, "(%02x) unknown instruction", in->code);
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
	struct line l = {.len = 0};
	int n = print_one(&l, insns, index, count, NULL);
	fwrite(l.text, 1, l.len, out);
	return n;
}

/* The name of the map each instruction loads, NULL where it loads none:
 * one walk over the references, not one per instruction (a long probe has
 * a reference every few instructions).  The first reference to an
 * instruction names it. */
static const char **map_names(const struct eq_image *img, const struct eq_prog *p)
{
	const char **name = calloc(p->ninsns + 1, sizeof(*name));
	if (!name)
		abort();
	for (uint32_t r = p->nrefs; r-- > 0;)
		if (p->refs[r].insn_index < p->ninsns && (int)p->refs[r].map_index < img->nmaps)
			name[p->refs[r].insn_index] = img->maps[p->refs[r].map_index].name;
	return name;
}

/* "; <script line> @ FILE:LINE" before the first instruction of each line. */
static void print_source_line(FILE *out, const struct eq_image *img, uint32_t line)
{
	const char *file = img->file ? img->file : "<script>";
	if (line >= 1 && (int)line <= img->nsource_lines && img->source_lines[line - 1]) {
		const char *text = img->source_lines[line - 1];
		fprintf(out, "; %s @ %s:%u\n", text + strspn(text, " \t"), file, line);
	} else if (line >= 1) {
		fprintf(out, "; @ %s:%u\n", file, line);
	}
}

void bpf_prog_print(FILE *out, const struct eq_image *img, const struct eq_prog *p)
{
	fprintf(out, "%s: %s (%u instructions)\n", p->name, p->probe_name, p->ninsns);
	uint32_t line = 0, next_line = 0;
	const char **map_name = map_names(img, p);
	for (uint32_t i = 0; i < p->ninsns;) {
		while (next_line < p->nlines && p->lines[next_line].insn_off <= i) {
			uint32_t l = p->lines[next_line++].line;
			if (l != line)
				print_source_line(out, img, l);
			line = l;
		}
		struct line l = {.len = 0};
		for (uint32_t width = 1000; width > 1 && i < width; width /= 10)
			put_char(&l, ' '); /* "%4u" */
		put(&l, "%u: ", i);
		i += (uint32_t)print_one(&l, p->insns, i, p->ninsns, map_name[i]);
		put_char(&l, '\n');
		fwrite(l.text, 1, l.len, out);
	}
	free(map_name);
}
