/* vcheck_test.c - instruction sequences vcheck must accept or reject (each
 * rejection named by the words its message must contain), and instructions
 * the disassembler must print exactly as the kernel's verifier log does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* Instruction builders, in the kernel's style. */
#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ALU_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define XADD(d, s, o) INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, BPF_ADD)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, 0), INSN(0, 0, 0, 0, 0)
#define LD_MAPVAL(d, o) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_VALUE, 0, 0), INSN(0, 0, 0, 0, o)

struct vcase {
	const char *name;
	struct bpf_insn insns[40];
	const char *reject; /* NULL: must be accepted */
};

/* Map 0: a hash with a 16-byte key and an 8-byte value; map 1: array[1] of 16 bytes. */
#define COUNT_BY_COMM                                                          \
	MOV_REG(1, 10), ADD_IMM(1, -16), MOV_IMM(2, 16), CALL(BPF_FUNC_get_current_comm), \
	LD_MAP(1), MOV_REG(2, 10), ADD_IMM(2, -16), CALL(BPF_FUNC_map_lookup_elem)

static const struct vcase cases[] = {
	{"count_by_comm", {COUNT_BY_COMM, JEQ_IMM(0, 0, 4), LDX(BPF_DW, 1, 0, 0), ADD_IMM(1, 1),
	  STX(BPF_DW, 0, 1, 0), JA(9), ST(BPF_DW, 10, -24, 1), LD_MAP(1), MOV_REG(2, 10),
	  ADD_IMM(2, -16), MOV_REG(3, 10), ADD_IMM(3, -24), MOV_IMM(4, 0),
	  CALL(BPF_FUNC_map_update_elem), MOV_IMM(0, 0), EXIT}, NULL},
	{"ringbuf_output_record", {ST(BPF_DW, 10, -16, 0), ST(BPF_DW, 10, -8, 7), LD_MAP(1),
	  MOV_REG(2, 10), ADD_IMM(2, -16), MOV_IMM(3, 16), MOV_IMM(4, 0),
	  CALL(BPF_FUNC_ringbuf_output), MOV_IMM(0, 0), EXIT}, NULL},
	{"atomic_add_map_value", {LD_MAPVAL(1, 0), MOV_IMM(2, 1), XADD(1, 2, 0), MOV_IMM(0, 0), EXIT}, NULL},
	{"branches_merge", {MOV_IMM(2, 1), JEQ_IMM(1, 0, 2), MOV_IMM(3, 5), JA(1), MOV_IMM(3, 6),
	  MOV_REG(0, 3), EXIT}, NULL},
	{"spilled_pointer_reloaded", {COUNT_BY_COMM, STX(BPF_DW, 10, 0, -32), LDX(BPF_DW, 6, 10, -32),
	  JEQ_IMM(6, 0, 1), LDX(BPF_DW, 1, 6, 0), MOV_IMM(0, 0), EXIT}, NULL},
	{"ctx_read", {LDX(BPF_DW, 2, 1, 16), MOV_REG(0, 2), EXIT}, NULL},
	{"uninit_register", {MOV_REG(0, 3), EXIT}, "before it is written"},
	{"read_after_call_clobber", {MOV_IMM(3, 1), CALL(BPF_FUNC_ktime_get_ns), MOV_REG(0, 3), EXIT},
	 "clobbered"},
	{"uninit_stack_read", {LDX(BPF_DW, 0, 10, -8), EXIT}, "stack bytes before they are written"},
	{"helper_reads_uninit_stack", {LD_MAP(1), MOV_REG(2, 10), ADD_IMM(2, -16),
	  CALL(BPF_FUNC_map_lookup_elem), MOV_IMM(0, 0), EXIT}, "never written"},
	{"stack_out_of_bounds", {ST(BPF_DW, 10, -520, 0), MOV_IMM(0, 0), EXIT}, "outside its 512 bytes"},
	{"stack_above_frame", {ST(BPF_DW, 10, 0, 0), MOV_IMM(0, 0), EXIT}, "outside its 512 bytes"},
	{"stack_misaligned", {ST(BPF_DW, 10, -12, 0), MOV_IMM(0, 0), EXIT}, "misaligned"},
	{"missing_null_check", {COUNT_BY_COMM, LDX(BPF_DW, 1, 0, 0), MOV_IMM(0, 0), EXIT}, "may be NULL"},
	{"null_side_deref", {COUNT_BY_COMM, JNE_IMM(0, 0, 2), LDX(BPF_DW, 1, 0, 0), JA(0), MOV_IMM(0, 0), EXIT},
	 "not a valid pointer"},
	{"jump_out_of_range", {JA(5), MOV_IMM(0, 0), EXIT}, "past the end"},
	{"fall_off_end", {MOV_IMM(0, 0)}, "past the end"},
	{"exit_without_r0", {EXIT}, "without a number in r0"},
	{"deref_scalar", {MOV_IMM(2, 100), LDX(BPF_DW, 0, 2, 0), EXIT}, "not a valid pointer"},
	{"map_value_out_of_bounds", {COUNT_BY_COMM, JEQ_IMM(0, 0, 1), LDX(BPF_DW, 1, 0, 8), MOV_IMM(0, 0), EXIT},
	 "outside its bytes"},
	{"write_ctx", {ST(BPF_DW, 1, 0, 0), MOV_IMM(0, 0), EXIT}, "read-only context"},
	{"write_fp", {MOV_IMM(10, 0), MOV_IMM(0, 0), EXIT}, "frame pointer"},
	{"unknown_helper", {CALL(9999), MOV_IMM(0, 0), EXIT}, "does not know"},
	{"helper_size_not_constant", {CALL(BPF_FUNC_ktime_get_ns), MOV_REG(2, 0), MOV_REG(1, 10),
	  ADD_IMM(1, -16), CALL(BPF_FUNC_get_current_comm), MOV_IMM(0, 0), EXIT}, "known constant"},
	{"wrong_map_arg", {MOV_IMM(1, 0), MOV_REG(2, 10), CALL(BPF_FUNC_map_lookup_elem), MOV_IMM(0, 0), EXIT},
	 "wrong kind"},
	{"pointer_arith_refused", {MOV_REG(2, 10), ALU_REG(BPF_MUL, 2, 2), MOV_IMM(0, 0), EXIT},
	 "arithmetic on a pointer"},
};

static int count_insns(const struct bpf_insn *insns)
{
	int n = 40;
	while (n > 0 && !insns[n - 1].code && !insns[n - 1].dst_reg && !insns[n - 1].imm &&
	       !(n >= 2 && insns[n - 2].code == (BPF_LD | BPF_DW | BPF_IMM)))
		n--;
	return n;
}

static bool run_case(const struct vcase *c, struct eq_image *img)
{
	struct eq_prog p = {.name = "probe0", .probe_name = c->name, .line = 1, .col = 1};
	struct eq_map_ref refs[8];
	struct eq_line line = {0, 1, 1};
	p.insns = (struct bpf_insn *)c->insns;
	p.ninsns = (uint32_t)count_insns(c->insns);
	p.lines = &line;
	p.nlines = 1;
	for (uint32_t i = 0; i < p.ninsns; i++)
		if (c->insns[i].code == (BPF_LD | BPF_DW | BPF_IMM)) {
			refs[p.nrefs++] = (struct eq_map_ref){i, c->insns[i].src_reg == BPF_PSEUDO_MAP_VALUE ? 1u : 0u,
							      c->insns[i].src_reg == BPF_PSEUDO_MAP_VALUE, 0};
			i++;
		}
	p.refs = refs;
	char *msg = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&msg, &len);
	struct eq_source src = {"test.ebq", "BEGIN { }", 9};
	struct eq_diag diag = {.src = &src, .out = mem};
	int rc = vcheck_prog(img, &p, &diag);
	fclose(mem);
	bool ok = c->reject ? rc < 0 && strstr(msg, c->reject) : rc == 0;
	if (!ok)
		printf("    got %s: %s", rc ? "rejection" : "acceptance", msg ? msg : "");
	free(msg);
	return ok;
}

struct pcase {
	struct bpf_insn insns[2];
	const char *text;
};

static const struct pcase prints[] = {
	{{MOV_REG(1, 10)}, "r1 = r10"},
	{{ADD_IMM(1, -16)}, "r1 += -16"},
	{{MOV_IMM(2, 16)}, "r2 = 16"},
	{{INSN(BPF_ALU64 | BPF_RSH | BPF_K, 0, 0, 0, 32)}, "r0 >>= 32"},
	{{INSN(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 3)}, "r1 s>>= 3"},
	{{INSN(BPF_ALU64 | BPF_NEG, 1, 0, 0, 0)}, "r1 = -r1"},
	{{INSN(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 0, 0)}, "w1 = w2"},
	{{INSN(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0)}, "r1 s/= r2"},
	{{INSN(BPF_ALU64 | BPF_MOD | BPF_K, 1, 0, 1, 3)}, "r1 s%= 3"},
	{{INSN(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 0, 0)}, "r1 /= r2"},
	{{ALU_REG(BPF_XOR, 3, 4)}, "r3 ^= r4"},
	{{ALU_REG(BPF_LSH, 3, 4)}, "r3 <<= r4"},
	{{LDX(BPF_DW, 1, 10, -8)}, "r1 = *(u64 *)(r10 -8)"},
	{{LDX(BPF_W, 1, 6, 16)}, "r1 = *(u32 *)(r6 +16)"},
	{{INSN(BPF_LDX | 0x80 | BPF_W, 1, 2, 0, 0)}, "r1 = *(s32 *)(r2 +0)"},
	{{ST(BPF_W, 10, -4, 0)}, "*(u32 *)(r10 -4) = 0"},
	{{STX(BPF_DW, 10, 1, -24)}, "*(u64 *)(r10 -24) = r1"},
	{{ST(BPF_B, 10, -1, 65)}, "*(u8 *)(r10 -1) = 65"},
	{{XADD(1, 2, 0)}, "lock *(u64 *)(r1 +0) += r2"},
	{{JEQ_IMM(0, 0, 4)}, "if r0 == 0x0 goto pc+4"},
	{{INSN(BPF_JMP | BPF_JSGT | BPF_X, 1, 2, -3, 0)}, "if r1 s> r2 goto pc-3"},
	{{INSN(BPF_JMP32 | BPF_JGT | BPF_K, 1, 0, 1, 5)}, "if w1 > 0x5 goto pc+1"},
	{{INSN(BPF_JMP | BPF_JSET | BPF_K, 3, 0, 2, 8)}, "if r3 & 0x8 goto pc+2"},
	{{JA(-3)}, "goto pc-3"},
	{{CALL(BPF_FUNC_map_lookup_elem)}, "call bpf_map_lookup_elem#1"},
	{{CALL(BPF_FUNC_get_current_comm)}, "call bpf_get_current_comm#16"},
	{{EXIT}, "exit"},
	{{INSN(BPF_LD | BPF_DW | BPF_IMM, 1, 0, 0, 0x34), INSN(0, 0, 0, 0, 0x12)}, "r1 = 0x1200000034 ll"},
	{{LD_MAP(1)}, "r1 = map[fd:0]"},
};

int main(void)
{
	struct eq_map maps[2] = {
		{.name = "@m", .type = BPF_MAP_TYPE_HASH, .key_size = 16, .value_size = 8, .max_entries = 64},
		{.name = "ebpfq_data", .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1},
	};
	const char *lines[] = {"BEGIN { }"};
	struct eq_image img = {.file = "test.ebq", .source_lines = lines, .nsource_lines = 1,
			       .maps = maps, .nmaps = 2, .ringbuf_map = -1, .drops_map = 1};
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = run_case(&cases[i], &img);
		printf("%s: vcheck %s\n", ok ? "PASS" : "FAIL", cases[i].name);
		ok ? passed++ : failed++;
	}
	for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
		char buf[128] = "";
		FILE *mem = fmemopen(buf, sizeof(buf) - 1, "w");
		bpf_insn_print(mem, prints[i].insns, 0, 2);
		fclose(mem);
		bool ok = !strcmp(buf, prints[i].text);
		printf("%s: print %s", ok ? "PASS" : "FAIL", prints[i].text);
		if (!ok)
			printf(" (got \"%s\")", buf);
		putchar('\n');
		ok ? passed++ : failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
