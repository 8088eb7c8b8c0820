/* usdt_args.c - USDT argument specs ("-4@%edi", "8@-16(%rbp)", "-4@[sp, 12]")
 * to where the value is: a register, memory at a register plus a
 * displacement, or a constant.  The note holds the compiler's assembly
 * operand, so the syntax is the architecture's; both parsers are built
 * everywhere so that either can be tested on any machine. */
#include "probe.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

size_t usdt_spec_len(const char *p)
{
	size_t n = 0;
	int depth = 0;
	for (; p[n] && (depth > 0 || p[n] != ' '); n++)
		depth += (p[n] == '[') - (p[n] == ']');
	return n;
}

/* ---- x86-64: %REG, $CONST, DISP(%REG) ------------------------------------- */

/* x86-64 register names as the specs write them, by struct pt_regs offset. */
static const struct { const char *names[4]; uint32_t offset; } x86_registers[] = {
	{{"rax", "eax", "ax", "al"}, 80},   {{"rbx", "ebx", "bx", "bl"}, 40},
	{{"rcx", "ecx", "cx", "cl"}, 88},   {{"rdx", "edx", "dx", "dl"}, 96},
	{{"rsi", "esi", "si", "sil"}, 104}, {{"rdi", "edi", "di", "dil"}, 112},
	{{"rbp", "ebp", "bp", "bpl"}, 32},  {{"rsp", "esp", "sp", "spl"}, 152},
	{{"r8", "r8d", "r8w", "r8b"}, 72},  {{"r9", "r9d", "r9w", "r9b"}, 64},
	{{"r10", "r10d", "r10w", "r10b"}, 56}, {{"r11", "r11d", "r11w", "r11b"}, 48},
	{{"r12", "r12d", "r12w", "r12b"}, 24}, {{"r13", "r13d", "r13w", "r13b"}, 16},
	{{"r14", "r14d", "r14w", "r14b"}, 8},  {{"r15", "r15d", "r15w", "r15b"}, 0},
	{{"rip", "eip", "ip", NULL}, 128},
};

static bool x86_register(const char *name, size_t len, uint32_t *offset)
{
	for (size_t i = 0; i < sizeof(x86_registers) / sizeof(x86_registers[0]); i++)
		for (int k = 0; k < 4; k++) {
			const char *n = x86_registers[i].names[k];
			if (n && strlen(n) == len && !strncmp(n, name, len)) {
				*offset = x86_registers[i].offset;
				return true;
			}
		}
	return false;
}

static bool x86_operand(const char *op, struct usdt_arg *a)
{
	char *end;
	if (*op == '$') {
		a->kind = USDT_ARG_CONST;
		a->value = strtoll(op + 1, &end, 0);
		return !*end && op[1];
	}
	if (*op == '%') {
		a->kind = USDT_ARG_REG;
		return x86_register(op + 1, strlen(op + 1), &a->reg_offset);
	}
	a->kind = USDT_ARG_MEM;
	a->value = strtoll(op, &end, 0);
	const char *close = strchr(end, ')');
	return *end == '(' && end[1] == '%' && close && !close[1] &&
	       x86_register(end + 2, (size_t)(close - end - 2), &a->reg_offset);
}

/* ---- arm64: xN / wN / sp, CONST, [REG], [REG, DISP] ------------------------ */

/* arm64 struct pt_regs: x0..x30, then sp. */
enum { ARM64_SP_OFFSET = 31 * 8 };

static bool arm64_register(const char *name, size_t len, uint32_t *offset)
{
	if (len == 2 && !strncmp(name, "sp", 2)) {
		*offset = ARM64_SP_OFFSET;
		return true;
	}
	if ((len == 2 && !strncmp(name, "fp", 2)) || (len == 2 && !strncmp(name, "lr", 2))) {
		*offset = (name[0] == 'f' ? 29 : 30) * 8; /* the frame pointer x29, the link register x30 */
		return true;
	}
	if (len < 2 || len > 3 || (name[0] != 'x' && name[0] != 'w'))
		return false;
	int n = 0;
	for (size_t i = 1; i < len; i++) {
		if (!isdigit((unsigned char)name[i]))
			return false;
		n = n * 10 + (name[i] - '0');
	}
	*offset = (uint32_t)n * 8;
	return n <= 30;
}

static bool arm64_operand(const char *op, struct usdt_arg *a)
{
	char *end;
	if (*op == '[') {
		/* [REG] or [REG, DISP], DISP maybe written #DISP */
		const char *reg = op + 1 + strspn(op + 1, " ");
		size_t len = strcspn(reg, " ,]");
		const char *p = reg + len + strspn(reg + len, " ");
		a->kind = USDT_ARG_MEM;
		a->value = 0;
		if (*p == ',') {
			p += 1 + strspn(p + 1, " ");
			p += *p == '#';
			a->value = strtoll(p, &end, 0);
			if (end == p)
				return false;
			p = end + strspn(end, " ");
		}
		return *p == ']' && !p[1] && arm64_register(reg, len, &a->reg_offset);
	}
	if (*op == '-' || *op == '#' || isdigit((unsigned char)*op)) {
		a->kind = USDT_ARG_CONST;
		op += *op == '#';
		a->value = strtoll(op, &end, 0);
		return !*end && end != op;
	}
	a->kind = USDT_ARG_REG;
	return arm64_register(op, strlen(op), &a->reg_offset);
}

bool usdt_parse_arg(enum usdt_arch arch, const char *spec, size_t len, struct usdt_arg *a)
{
	char buf[64];
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, spec, len);
	buf[len] = 0;
	char *at = strchr(buf, '@'), *end;
	if (!at)
		return false;
	long size = strtol(buf, &end, 10);
	if (end != at || !size || labs(size) > 8 || (labs(size) & (labs(size) - 1)))
		return false;
	*a = (struct usdt_arg){.size = (uint8_t)labs(size), .is_signed = size < 0};
	return arch == USDT_ARCH_ARM64 ? arm64_operand(at + 1, a) : x86_operand(at + 1, a);
}
