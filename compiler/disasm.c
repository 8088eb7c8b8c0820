/* disasm.c - BPF instructions in the kernel verifier log's syntax
 * (`r1 = *(u64 *)(r10 -8)`, `if r0 == 0x0 goto pc+4`), so what -d bpf
 * prints reads like what the kernel prints when it complains. */
#include <inttypes.h>
#include <string.h>

#include "compiler.h"
#include "helpers.h"

enum { MODE_MEMSX = 0x80 };

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=", [BPF_MUL >> 4] = "*=", [BPF_DIV >> 4] = "/=",
	[BPF_OR >> 4] = "|=", [BPF_AND >> 4] = "&=", [BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=", [BPF_ARSH >> 4] = "s>>=",
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

static void print_alu(FILE *out, const struct bpf_insn *in)
{
	char r = BPF_CLASS(in->code) == BPF_ALU64 ? 'r' : 'w';
	int op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	if (op == BPF_NEG) {
		fprintf(out, "%c%d = -%c%d", r, in->dst_reg, r, in->dst_reg);
		return;
	}
	if (op == BPF_END) {
		fprintf(out, "%c%d = %s%d %c%d", r, in->dst_reg, x ? "be" : "le", in->imm, r, in->dst_reg);
		return;
	}
	const char *name = alu_ops[op >> 4] ? alu_ops[op >> 4] : "?=";
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		name = op == BPF_DIV ? "s/=" : "s%=";
	if (op == BPF_MOV && x && in->off) { /* sign-extending move */
		fprintf(out, "%c%d = (s%d)%c%d", r, in->dst_reg, in->off, r, in->src_reg);
		return;
	}
	if (x)
		fprintf(out, "%c%d %s %c%d", r, in->dst_reg, name, r, in->src_reg);
	else
		fprintf(out, "%c%d %s %d", r, in->dst_reg, name, in->imm);
}

static void print_jmp(FILE *out, const struct bpf_insn *in)
{
	int op = BPF_OP(in->code);
	char r = BPF_CLASS(in->code) == BPF_JMP32 ? 'w' : 'r';
	if (op == BPF_CALL) {
		const struct bpf_helper_info *h = bpf_helper(in->imm);
		fprintf(out, "call %s%s#%d", h ? "bpf_" : "", h ? h->name : "", in->imm);
	} else if (op == BPF_EXIT) {
		fputs("exit", out);
	} else if (op == BPF_JA) {
		fprintf(out, "goto pc%+d", in->off);
	} else if (BPF_SRC(in->code) == BPF_X) {
		fprintf(out, "if %c%d %s %c%d goto pc%+d", r, in->dst_reg,
			jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "?", r, in->src_reg, in->off);
	} else {
		fprintf(out, "if %c%d %s 0x%x goto pc%+d", r, in->dst_reg,
			jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "?", (uint32_t)in->imm, in->off);
	}
}

static void print_mem(FILE *out, const struct bpf_insn *in)
{
	int cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code), sz = BPF_SIZE(in->code);
	if (cls == BPF_LDX)
		fprintf(out, "r%d = *(%s *)(r%d %+d)", in->dst_reg, size_name(sz, mode == MODE_MEMSX),
			in->src_reg, in->off);
	else if (cls == BPF_STX && mode == BPF_ATOMIC)
		fprintf(out, "lock *(%s *)(r%d %+d) += r%d", size_name(sz, false), in->dst_reg, in->off,
			in->src_reg);
	else if (cls == BPF_STX)
		fprintf(out, "*(%s *)(r%d %+d) = r%d", size_name(sz, false), in->dst_reg, in->off,
			in->src_reg);
	else
		fprintf(out, "*(%s *)(r%d %+d) = %d", size_name(sz, false), in->dst_reg, in->off, in->imm);
}

/* A 64-bit immediate load: a map, a map's value, or a plain constant. */
static void print_ld_imm64(FILE *out, const struct bpf_insn *in, const char *map_name)
{
	uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	if (in->src_reg == BPF_PSEUDO_MAP_FD && map_name)
		fprintf(out, "r%d = map[%s]", in->dst_reg, map_name);
	else if (in->src_reg == BPF_PSEUDO_MAP_FD)
		fprintf(out, "r%d = map[fd:%d]", in->dst_reg, in->imm);
	else if (in->src_reg == BPF_PSEUDO_MAP_VALUE && map_name)
		fprintf(out, "r%d = map[%s][0]+%d", in->dst_reg, map_name, in[1].imm);
	else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
		fprintf(out, "r%d = map[fd:%d][0]+%d", in->dst_reg, in->imm, in[1].imm);
	else
		fprintf(out, "r%d = 0x%" PRIx64 " ll", in->dst_reg, v);
}

static int print_one(FILE *out, const struct bpf_insn *insns, uint32_t i, uint32_t count,
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
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && i + 1 < count) {
			print_ld_imm64(out, in, map_name);
			return 2;
		}
		/* fall through */
	default:
		fprintf(out, "(%02x) unknown instruction", in->code);
		return 1;
	}
}

int bpf_insn_print(FILE *out, const struct bpf_insn *insns, uint32_t index, uint32_t count)
{
	return print_one(out, insns, index, count, NULL);
}

static const char *map_name_at(const struct eq_image *img, const struct eq_prog *p, uint32_t i)
{
	for (uint32_t r = 0; r < p->nrefs; r++)
		if (p->refs[r].insn_index == i && (int)p->refs[r].map_index < img->nmaps)
			return img->maps[p->refs[r].map_index].name;
	return NULL;
}

void bpf_prog_print(FILE *out, const struct eq_image *img, const struct eq_prog *p)
{
	fprintf(out, "%s: %s (%u instructions)\n", p->name, p->probe_name, p->ninsns);
	uint32_t line = 0, next_line = 0;
	for (uint32_t i = 0; i < p->ninsns;) {
		while (next_line < p->nlines && p->lines[next_line].insn_off <= i) {
			uint32_t l = p->lines[next_line++].line;
			if (l != line && l >= 1 && (int)l <= img->nsource_lines) {
				const char *text = img->source_lines[l - 1];
				fprintf(out, "; %s @ %s:%u\n", text + strspn(text, " \t"), img->file, l);
			}
			line = l;
		}
		fprintf(out, "%4u: ", i);
		i += (uint32_t)print_one(out, p->insns, i, p->ninsns, map_name_at(img, p, i));
		fputc('\n', out);
	}
}
