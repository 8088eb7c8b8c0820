/* usdt_test.c - USDT argument specs of both architectures, from a table:
 * what each operand syntax reads, and what is refused.  The arm64 cases run
 * on any machine: the note's text is all there is to parse. */
#include <stdio.h>
#include <string.h>

#include "probe.h"

enum { X86 = USDT_ARCH_X86_64, ARM = USDT_ARCH_ARM64, BAD = -1 };

struct usdt_case {
	int arch;
	const char *spec;
	int kind;           /* enum usdt_arg_kind, or BAD: refused */
	uint32_t reg_offset;
	long long value;
	int size;
	int is_signed;
};

static const struct usdt_case cases[] = {
	/* x86-64 (struct pt_regs: di 112, bp 32, ax 80, r10 56) */
	{X86, "-4@%edi", USDT_ARG_REG, 112, 0, 4, 1},
	{X86, "8@%rax", USDT_ARG_REG, 80, 0, 8, 0},
	{X86, "1@%r10b", USDT_ARG_REG, 56, 0, 1, 0},
	{X86, "8@-16(%rbp)", USDT_ARG_MEM, 32, -16, 8, 0},
	{X86, "-2@0x10(%rsp)", USDT_ARG_MEM, 152, 16, 2, 1},
	{X86, "4@$5", USDT_ARG_CONST, 0, 5, 4, 0},
	{X86, "-8@$-1", USDT_ARG_CONST, 0, -1, 8, 1},
	{X86, "4@%xmm0", BAD, 0, 0, 0, 0},
	{X86, "3@%eax", BAD, 0, 0, 0, 0},
	{X86, "4@$", BAD, 0, 0, 0, 0},
	{X86, "4@-8(%rbp", BAD, 0, 0, 0, 0},
	{X86, "%eax", BAD, 0, 0, 0, 0},
	/* arm64 (struct pt_regs: x0..x30 at 8*n, sp 248) */
	{ARM, "-4@x0", USDT_ARG_REG, 0, 0, 4, 1},
	{ARM, "8@x19", USDT_ARG_REG, 152, 0, 8, 0},
	{ARM, "4@w3", USDT_ARG_REG, 24, 0, 4, 0},
	{ARM, "8@sp", USDT_ARG_REG, 248, 0, 8, 0},
	{ARM, "-4@[sp, 96]", USDT_ARG_MEM, 248, 96, 4, 1},
	{ARM, "8@[x29, -12]", USDT_ARG_MEM, 232, -12, 8, 0},
	{ARM, "8@[x1]", USDT_ARG_MEM, 8, 0, 8, 0},
	{ARM, "4@[sp,#16]", USDT_ARG_MEM, 248, 16, 4, 0},
	{ARM, "4@5", USDT_ARG_CONST, 0, 5, 4, 0},
	{ARM, "-4@-1", USDT_ARG_CONST, 0, -1, 4, 1},
	{ARM, "8@x31", BAD, 0, 0, 0, 0},
	{ARM, "8@[x1", BAD, 0, 0, 0, 0},
	{ARM, "8@[q1, 8]", BAD, 0, 0, 0, 0},
	{ARM, "8@%rax", BAD, 0, 0, 0, 0},
};

/* Specs as a note lists them, one after another. */
static const struct {
	const char *specs;
	size_t first_len;
} spans[] = {
	{"-4@%edi 8@-16(%rbp)", 7},
	{"-4@[sp, 96] 8@x1", 11},
	{"8@[x29, -12]", 12},
	{"", 0},
};

int main(void)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct usdt_case *c = &cases[i];
		struct usdt_arg a;
		bool ok = usdt_parse_arg((enum usdt_arch)c->arch, c->spec, strlen(c->spec), &a);
		bool good = c->kind == BAD ? !ok
			  : ok && (int)a.kind == c->kind && a.size == c->size && a.is_signed == c->is_signed &&
			    (c->kind == USDT_ARG_CONST || a.reg_offset == c->reg_offset) &&
			    (c->kind == USDT_ARG_REG || a.value == c->value);
		const char *arch = c->arch == ARM ? "arm64" : "x86-64";
		if (good) {
			printf("PASS: %s '%s'\n", arch, c->spec);
			passed++;
		} else if (!ok) {
			printf("FAIL: %s '%s': refused\n", arch, c->spec);
			failed++;
		} else {
			printf("FAIL: %s '%s': kind %d offset %u value %lld size %d signed %d\n", arch, c->spec,
			       a.kind, a.reg_offset, (long long)a.value, a.size, a.is_signed);
			failed++;
		}
	}
	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		size_t len = usdt_spec_len(spans[i].specs);
		if (len == spans[i].first_len) {
			printf("PASS: first spec of '%s'\n", spans[i].specs);
			passed++;
		} else {
			printf("FAIL: first spec of '%s': %zu characters, want %zu\n", spans[i].specs, len,
			       spans[i].first_len);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
