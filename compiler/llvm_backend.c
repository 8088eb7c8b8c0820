/* llvm_backend.c - IR to LLVM IR, optimised and compiled by LLVM's BPF
 * target (see llvm_backend.h for why this exists).
 *
 * The translation is deliberately naive and leaves the cleverness to LLVM:
 * every virtual register is an i64 alloca (the IR is not SSA; mem2reg makes
 * it so), every frame slot an alloca of its size, every address an i64
 * (the IR does not tell pointers from integers; ptrtoint/inttoptr at the
 * memory operations).  What LLVM and BPF disagree on is spelt out:
 *
 *  - division: BPF gives x / 0 = 0 and x % 0 = x where LLVM has undefined
 *    behaviour, so a divisor that may be 0 divides in inline assembly;
 *    signed division is done on magnitudes (LLVM 14's BPF target refuses
 *    sdiv, and cpu v3 has none), which also gives S64_MIN / -1 = S64_MIN;
 *  - shifts: BPF masks the count to 63, LLVM makes a larger one poison;
 *  - signed loads: a load and a sext, which LLVM lowers to shifts on cpu v3
 *    (the native back end uses BPF_MEMSX, cpu v4, that LLVM 14 lacks);
 *  - maps: `map` and `mapval` are the llvm.bpf.pseudo intrinsic, a ld_imm64
 *    whose src_reg (BPF_PSEUDO_MAP_FD / _VALUE) and imm (the map's index in
 *    the image) llvm_elf.c turns into the image's map references;
 *  - helpers: a call through the helper's id cast to a function pointer,
 *    which the BPF target emits as `call ID`, as BPF C does;
 *  - subprograms (callbacks): internal functions of five i64 arguments
 *    whose address (`funcaddr`) is a ld_imm64 with a relocation that
 *    llvm_elf.c resolves to a BPF_PSEUDO_FUNC offset;
 *  - line info: each instruction's script position is a debug location,
 *    which the BPF target writes as .BTF.ext line info for llvm_elf.c.
 *
 * LLVM reports what its BPF target refuses (stack over 512 bytes, a call
 * it cannot make) through the context's diagnostic handler, collected here
 * as the error; a fatal error (which would abort) longjmps back instead.
 */
#include "llvm_backend.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Support.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/* The section every function of a program goes to: one section, so that a
 * callback's address is an offset in the same instruction array. */
static const char PROG_SECTION[] = "ebpfq_prog";

struct llvm_backend {
	LLVMContextRef ctx;
	LLVMTargetMachineRef tm;
	LLVMTargetDataRef layout;
	FILE *dump;
	char *diag_error; /* the first error LLVM reported this program (strdup), or NULL */
};

/* One program's translation. */
struct llvm_gen {
	struct llvm_backend *lb;
	struct arena *arena;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTypeRef i64, i32, i16, i8, ptr8;
	LLVMTypeRef sub_type;         /* a subprogram: i64 (i64 x IR_MAX_ARGS) */
	LLVMValueRef pseudo;          /* llvm.bpf.pseudo */
	LLVMTypeRef pseudo_type;
	const struct ir_func *prog;
	LLVMValueRef *subs;           /* by subprogram index */
	/* the function being translated */
	const struct ir_func *f;
	LLVMValueRef fn;
	LLVMValueRef *vregs;          /* by vreg: its i64 alloca */
	LLVMValueRef *slots;          /* by frame slot: its address in the frame */
	LLVMBasicBlockRef *blocks;    /* by block id */
	/* line info: each instruction's script position as a debug location,
	 * which LLVM's BPF target writes as the object's .BTF.ext line info */
	LLVMDIBuilderRef dib;
	LLVMMetadataRef di_file, di_type;
	LLVMMetadataRef scope;        /* the function being translated's subprogram */
	int last_line, last_col;
};

/* ---- LLVM's errors ------------------------------------------------------ */

/* LLVM's fatal error handler takes no context, so where to go back to has
 * to be static; the compiler runs one compilation at a time. */
static jmp_buf *fatal_return;
static char fatal_reason[256];

static void on_fatal_error(const char *reason)
{
	snprintf(fatal_reason, sizeof fatal_reason, "%s", reason);
	size_t n = strlen(fatal_reason);
	while (n > 0 && (fatal_reason[n - 1] == '\n' || fatal_reason[n - 1] == ' '))
		fatal_reason[--n] = 0;
	if (fatal_return)
		longjmp(*fatal_return, 1);
	fprintf(stderr, "ebpfq: LLVM: %s\n", reason);
	exit(2);
}

static void on_diagnostic(LLVMDiagnosticInfoRef info, void *ctx)
{
	struct llvm_backend *lb = ctx;
	if (LLVMGetDiagInfoSeverity(info) != LLVMDSError) {
		return;
	}
	char *text = LLVMGetDiagInfoDescription(info);
	/* LLVM's BPF target warns as an error of any frame offset at or below
	 * -512, though the 8 bytes at -512 are the kernel's; llvm_elf.c
	 * measures the stack the code really takes instead */
	if (strstr(text, "BPF stack limit of 512 bytes")) {
		LLVMDisposeMessage(text);
		return;
	}
	/* "<unknown>:0:0: in function probe0 i64 (i64): WHAT": the error
	 * names the probe already */
	const char *what = text, *in_function = strstr(text, ": in function ");
	if (in_function && strstr(in_function, "): "))
		what = strstr(in_function, "): ") + 3;
	if (!lb->diag_error)
		lb->diag_error = strdup(what);
	LLVMDisposeMessage(text);
}

struct llvm_backend *llvm_backend_new(FILE *dump_llvm, const char **error)
{
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	LLVMInitializeBPFAsmParser(); /* the inline assembly of bpf_div() */
	LLVMInstallFatalErrorHandler(on_fatal_error);
	/* Merging two paths' copies of an instruction into one with a phi of
	 * their operands (SimplifyCFG's sinking; tail merging after
	 * instruction selection) makes one instruction use a register that
	 * holds different pointers on different paths: a map value on one,
	 * another map's on the other.  The kernel's verifier follows each path
	 * and takes it; vcheck merges the paths' states and does not.
	 * MachineSink moved a long chain of arithmetic (each statement's sum
	 * into one variable, printed at the end) down to its last use, past
	 * every helper call in between: all the loaded values it reads lived
	 * to the end, and tests/runtime/codegen_spill_slots took 960 bytes of
	 * stack (104 without it).  LLVM reads these options once, for every
	 * module after. */
	static bool options_set;
	if (!options_set) {
		const char *argv[] = {"ebpfq", "-simplifycfg-sink-common=false", "-enable-tail-merge=false",
				      "-disable-machine-sink"};
		LLVMParseCommandLineOptions(4, argv, NULL);
		/* LLVM's global state, freed at exit rather than left to the
		 * system (valgrind's "still reachable", tests/runtime/valgrind) */
		atexit(LLVMShutdown);
		options_set = true;
	}
	const char *triple = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "bpfel" : "bpfeb";
	LLVMTargetRef target;
	char *msg = NULL;
	if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
		static char text[256];
		snprintf(text, sizeof text, "LLVM has no BPF target: %s", msg ? msg : "");
		LLVMDisposeMessage(msg);
		*error = text;
		return NULL;
	}
	struct llvm_backend *lb = calloc(1, sizeof *lb);
	lb->dump = dump_llvm;
	lb->ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(lb->ctx, on_diagnostic, lb);
	/* cpu v3: 32-bit jumps and ALU, atomics; not v4 (sign-extending loads,
	 * sdiv), which LLVM 14 does not know */
	lb->tm = LLVMCreateTargetMachine(target, triple, "v3", "", LLVMCodeGenLevelDefault,
					 LLVMRelocStatic, LLVMCodeModelDefault);
	lb->layout = LLVMCreateTargetDataLayout(lb->tm);
	return lb;
}

void llvm_backend_free(struct llvm_backend *lb)
{
	if (!lb)
		return;
	free(lb->diag_error);
	LLVMDisposeTargetData(lb->layout);
	LLVMDisposeTargetMachine(lb->tm);
	LLVMContextDispose(lb->ctx);
	free(lb);
}

/* ---- values --------------------------------------------------------------- */

static LLVMValueRef imm(struct llvm_gen *g, int64_t v)
{
	return LLVMConstInt(g->i64, (unsigned long long)v, true);
}

static LLVMValueRef value(struct llvm_gen *g, struct ir_val v)
{
	if (v.kind == IRV_IMM)
		return imm(g, v.imm);
	if (v.kind == IRV_NONE)
		return imm(g, 0);
	return LLVMBuildLoad2(g->b, g->i64, g->vregs[v.reg], "");
}

static void define(struct llvm_gen *g, int vreg, LLVMValueRef v)
{
	if (vreg >= 0)
		LLVMBuildStore(g->b, v, g->vregs[vreg]);
}

static LLVMTypeRef int_type(struct llvm_gen *g, int size)
{
	return size == 1 ? g->i8 : size == 2 ? g->i16 : size == 4 ? g->i32 : g->i64;
}

/* An i8* to a frame slot + off, or to a register's address + off. */
static LLVMValueRef address(struct llvm_gen *g, struct ir_addr m)
{
	LLVMValueRef base;
	if (m.base >= 0)
		base = LLVMBuildIntToPtr(g->b, value(g, ir_reg(m.base)), g->ptr8, "");
	else
		base = g->slots[m.slot];
	if (!m.off)
		return base;
	LLVMValueRef off = imm(g, m.off);
	return LLVMBuildGEP2(g->b, g->i8, base, &off, 1, "");
}

static LLVMValueRef typed_address(struct llvm_gen *g, struct ir_addr m, int size)
{
	return LLVMBuildBitCast(g->b, address(g, m), LLVMPointerType(int_type(g, size), 0), "");
}

/* ---- operations ----------------------------------------------------------- */

/* a / b or a % b by BPF's own instruction, in inline assembly: LLVM takes
 * a division by 0 for undefined behaviour, BPF gives 0 (and a for the
 * modulo).  Guarding it with a select would cost a branch on BPF (it has
 * no conditional move), and a program with many divisions 2^n paths for
 * the kernel's verifier to walk; the instruction costs nothing. */
static LLVMValueRef bpf_div(struct llvm_gen *g, bool mod, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef params[2] = {g->i64, g->i64};
	LLVMTypeRef type = LLVMFunctionType(g->i64, params, 2, false);
	char text[] = "$0 /= $2", constraints[] = "=r,0,r";
	LLVMValueRef fn = LLVMGetInlineAsm(type, text, strlen(text), constraints, strlen(constraints),
					   false, false, LLVMInlineAsmDialectATT, false);
	LLVMValueRef args[2] = {a, b};
	LLVMValueRef q = LLVMBuildCall2(g->b, type, fn, args, 2, "");
	if (!mod)
		return q;
	/* a - a / b * b: a when b is 0, as BPF's modulo (LLVM 14's assembler
	 * does not read `%=`) */
	return LLVMBuildSub(g->b, a, LLVMBuildMul(g->b, q, b, ""), "");
}

static LLVMValueRef unsigned_div(struct llvm_gen *g, bool mod, LLVMValueRef a, LLVMValueRef b,
				 bool may_be_zero)
{
	if (may_be_zero)
		return bpf_div(g, mod, a, b);
	return mod ? LLVMBuildURem(g->b, a, b, "") : LLVMBuildUDiv(g->b, a, b, "");
}

/* v negated where sign is all ones, as is where it is 0: no branch. */
static LLVMValueRef apply_sign(struct llvm_gen *g, LLVMValueRef v, LLVMValueRef sign)
{
	return LLVMBuildSub(g->b, LLVMBuildXor(g->b, v, sign, ""), sign, "");
}

/* Signed division and modulo as BPF's cpu v4 does them (LLVM 14's BPF
 * target refuses sdiv, and cpu v3 has none), on magnitudes and without a
 * branch: the quotient is negative when the signs differ, the remainder
 * has the dividend's sign; b == 0 gives 0 and a; S64_MIN / -1 is S64_MIN. */
static LLVMValueRef signed_div(struct llvm_gen *g, bool mod, LLVMValueRef a, LLVMValueRef b,
			       bool may_be_zero)
{
	LLVMValueRef a_sign = LLVMBuildAShr(g->b, a, imm(g, 63), "");
	LLVMValueRef b_sign = LLVMBuildAShr(g->b, b, imm(g, 63), "");
	LLVMValueRef r = unsigned_div(g, mod, apply_sign(g, a, a_sign), apply_sign(g, b, b_sign), may_be_zero);
	return apply_sign(g, r, mod ? a_sign : LLVMBuildXor(g->b, a_sign, b_sign, ""));
}

static LLVMValueRef binary(struct llvm_gen *g, const struct ir_insn *in)
{
	LLVMValueRef a = value(g, in->a), b = value(g, in->b);
	bool may_be_zero = in->b.kind != IRV_IMM || in->b.imm == 0;
	switch (in->op) {
	case IR_ADD:
	case IR_FIELDADD: /* LLVM's code keeps no CO-RE relocation: compile.c warns under --aot */
		return LLVMBuildAdd(g->b, a, b, "");
	case IR_SUB: return LLVMBuildSub(g->b, a, b, "");
	case IR_MUL: return LLVMBuildMul(g->b, a, b, "");
	case IR_AND: return LLVMBuildAnd(g->b, a, b, "");
	case IR_OR: return LLVMBuildOr(g->b, a, b, "");
	case IR_XOR: return LLVMBuildXor(g->b, a, b, "");
	case IR_UDIV: return unsigned_div(g, false, a, b, may_be_zero);
	case IR_UMOD: return unsigned_div(g, true, a, b, may_be_zero);
	case IR_SDIV: return signed_div(g, false, a, b, may_be_zero);
	case IR_SMOD: return signed_div(g, true, a, b, may_be_zero);
	default: break;
	}
	/* shifts: BPF masks the count */
	LLVMValueRef count = in->b.kind == IRV_IMM ? imm(g, in->b.imm & 63) : LLVMBuildAnd(g->b, b, imm(g, 63), "");
	if (in->op == IR_SHL || in->op == IR_FIELDSHL)
		return LLVMBuildShl(g->b, a, count, "");
	if (in->op == IR_SHR || in->op == IR_FIELDSHR)
		return LLVMBuildLShr(g->b, a, count, "");
	return LLVMBuildAShr(g->b, a, count, "");
}

static LLVMValueRef byte_swap(struct llvm_gen *g, const struct ir_insn *in)
{
	int bits = in->op == IR_BSWAP16 ? 16 : in->op == IR_BSWAP32 ? 32 : 64;
	LLVMTypeRef t = LLVMIntTypeInContext(g->lb->ctx, (unsigned)bits);
	char name[32];
	snprintf(name, sizeof name, "llvm.bswap.i%d", bits);
	LLVMTypeRef fn_type = LLVMFunctionType(t, &t, 1, false);
	LLVMValueRef fn = LLVMGetNamedFunction(g->mod, name);
	if (!fn)
		fn = LLVMAddFunction(g->mod, name, fn_type);
	LLVMValueRef arg = LLVMBuildTrunc(g->b, value(g, in->a), t, "");
	LLVMValueRef swapped = LLVMBuildCall2(g->b, fn_type, fn, &arg, 1, "");
	return LLVMBuildZExt(g->b, swapped, g->i64, "");
}

/* ld_imm64 with src_reg `kind` and imm `index`: the image's map references. */
static LLVMValueRef pseudo(struct llvm_gen *g, int kind, int64_t index)
{
	LLVMValueRef args[2] = {imm(g, kind), imm(g, index)};
	return LLVMBuildCall2(g->b, g->pseudo_type, g->pseudo, args, 2, "");
}

static LLVMValueRef helper_call(struct llvm_gen *g, const struct ir_insn *in)
{
	LLVMTypeRef params[IR_MAX_ARGS];
	LLVMValueRef args[IR_MAX_ARGS];
	for (int i = 0; i < in->nargs; i++) {
		params[i] = g->i64;
		args[i] = value(g, in->args[i]);
	}
	LLVMTypeRef type = LLVMFunctionType(g->i64, params, (unsigned)in->nargs, false);
	LLVMValueRef callee = LLVMConstIntToPtr(imm(g, in->imm), LLVMPointerType(type, 0));
	return LLVMBuildCall2(g->b, type, callee, args, (unsigned)in->nargs, "");
}

/* v, through an empty inline assembly that LLVM cannot see into (no
 * instruction).  Where two paths each load through a register and meet,
 * InstCombine makes one load of a phi of the two addresses: the context on
 * one path and the stack or a map value on the other, say.  The kernel
 * follows each path and takes it; vcheck merges the paths' states and
 * cannot.  A phi of two of these is not a phi of loads.  A frame slot's
 * load is left alone, for mem2reg and the like. */
static LLVMValueRef opaque(struct llvm_gen *g, LLVMValueRef v)
{
	LLVMTypeRef type = LLVMFunctionType(g->i64, &g->i64, 1, false);
	char text[] = "", constraints[] = "=r,0";
	LLVMValueRef fn = LLVMGetInlineAsm(type, text, 0, constraints, strlen(constraints),
					   false, false, LLVMInlineAsmDialectATT, false);
	return LLVMBuildCall2(g->b, type, fn, &v, 1, "");
}

static void memory(struct llvm_gen *g, const struct ir_insn *in)
{
	LLVMValueRef p = typed_address(g, in->mem, in->size);
	LLVMTypeRef t = int_type(g, in->size);
	if (in->op == IR_LOAD) {
		LLVMValueRef v = LLVMBuildLoad2(g->b, t, p, "");
		LLVMSetAlignment(v, in->size);
		if (in->size < 8)
			v = in->is_signed ? LLVMBuildSExt(g->b, v, g->i64, "") : LLVMBuildZExt(g->b, v, g->i64, "");
		define(g, in->dst, in->mem.base >= 0 ? opaque(g, v) : v);
		return;
	}
	LLVMValueRef v = value(g, in->a);
	if (in->size < 8)
		v = LLVMBuildTrunc(g->b, v, t, "");
	if (in->op == IR_ATOMIC_ADD) {
		/* sequentially consistent: a monotonic add of 0 becomes an atomic
		 * load, which the BPF target cannot select */
		LLVMValueRef rmw = LLVMBuildAtomicRMW(g->b, LLVMAtomicRMWBinOpAdd, p, v,
						      LLVMAtomicOrderingSequentiallyConsistent, false);
		LLVMSetAlignment(rmw, in->size);
		return;
	}
	LLVMValueRef st = LLVMBuildStore(g->b, v, p);
	LLVMSetAlignment(st, in->size);
}

static LLVMValueRef condition(struct llvm_gen *g, const struct ir_insn *in)
{
	static const LLVMIntPredicate preds[] = {
		[IRC_EQ] = LLVMIntEQ, [IRC_NE] = LLVMIntNE, [IRC_ULT] = LLVMIntULT,
		[IRC_ULE] = LLVMIntULE, [IRC_UGT] = LLVMIntUGT, [IRC_UGE] = LLVMIntUGE,
		[IRC_SLT] = LLVMIntSLT, [IRC_SLE] = LLVMIntSLE, [IRC_SGT] = LLVMIntSGT,
		[IRC_SGE] = LLVMIntSGE,
	};
	LLVMValueRef a = value(g, in->a), b = value(g, in->b);
	if (in->cond == IRC_SET)
		return LLVMBuildICmp(g->b, LLVMIntNE, LLVMBuildAnd(g->b, a, b, ""), imm(g, 0), "");
	return LLVMBuildICmp(g->b, preds[in->cond], a, b, "");
}

/* What the instructions built from now on come from in the script. */
static void locate(struct llvm_gen *g, eq_loc loc)
{
	if (!loc.line || (loc.line == g->last_line && loc.col == g->last_col))
		return;
	g->last_line = loc.line, g->last_col = loc.col;
	LLVMSetCurrentDebugLocation2(g->b, LLVMDIBuilderCreateDebugLocation(
		g->lb->ctx, (unsigned)loc.line, (unsigned)loc.col, g->scope, NULL));
}

static void translate_insn(struct llvm_gen *g, const struct ir_insn *in)
{
	locate(g, in->loc);
	switch (in->op) {
	case IR_CONST: define(g, in->dst, imm(g, in->imm)); break;
	case IR_CTX: define(g, in->dst, LLVMGetParam(g->fn, 0)); break;
	case IR_ARG: define(g, in->dst, LLVMGetParam(g->fn, (unsigned)in->imm)); break;
	case IR_MOV: case IR_FIELDSIZE: define(g, in->dst, value(g, in->a)); break;
	case IR_NEG: define(g, in->dst, LLVMBuildNeg(g->b, value(g, in->a), "")); break;
	case IR_ZEXT32: define(g, in->dst, LLVMBuildAnd(g->b, value(g, in->a), imm(g, 0xffffffff), "")); break;
	case IR_BSWAP16: case IR_BSWAP32: case IR_BSWAP64: define(g, in->dst, byte_swap(g, in)); break;
	case IR_FRAME: define(g, in->dst, LLVMBuildPtrToInt(g->b, address(g, in->mem), g->i64, "")); break;
	case IR_MAP: define(g, in->dst, pseudo(g, BPF_PSEUDO_MAP_FD, in->imm)); break;
	case IR_MAPVAL: {
		LLVMValueRef v = pseudo(g, BPF_PSEUDO_MAP_VALUE, in->imm);
		define(g, in->dst, in->mem.off ? LLVMBuildAdd(g->b, v, imm(g, in->mem.off), "") : v);
		break;
	}
	case IR_FUNCADDR:
		define(g, in->dst, LLVMBuildPtrToInt(g->b, g->subs[in->imm], g->i64, ""));
		break;
	case IR_LOAD: case IR_STORE: case IR_ATOMIC_ADD: memory(g, in); break;
	case IR_CALL: define(g, in->dst, helper_call(g, in)); break;
	case IR_JMP: LLVMBuildBr(g->b, g->blocks[in->target[0]]); break;
	case IR_BR:
		LLVMBuildCondBr(g->b, condition(g, in), g->blocks[in->target[0]], g->blocks[in->target[1]]);
		break;
	case IR_RET: LLVMBuildRet(g->b, value(g, in->a)); break;
	default: define(g, in->dst, binary(g, in)); break;
	}
}

/* One IR function into the LLVM function fn: allocas for its vregs and
 * slots in an entry block of their own, then a block per IR block. */
static eq_loc first_loc(const struct ir_func *f);

static void translate_func(struct llvm_gen *g, const struct ir_func *f, LLVMValueRef fn)
{
	g->f = f;
	g->fn = fn;
	size_t name_len;
	const char *name = LLVMGetValueName2(fn, &name_len);
	unsigned line = (unsigned)first_loc(f).line;
	g->scope = LLVMDIBuilderCreateFunction(g->dib, g->di_file, name, name_len, name, name_len,
					       g->di_file, line, g->di_type, false,
					       true, line, LLVMDIFlagZero, true);
	LLVMSetSubprogram(fn, g->scope);
	LLVMSetCurrentDebugLocation2(g->b, NULL); /* not the last function's */
	g->last_line = g->last_col = -1;
	LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->lb->ctx, fn, "entry");
	g->blocks = ARENA_ARRAY(g->arena, LLVMBasicBlockRef, f->nblock_ids + 1);
	for (int i = 0; i < f->blocks.count; i++) {
		char name[24];
		snprintf(name, sizeof name, "b%d", f->blocks.items[i]->id);
		g->blocks[f->blocks.items[i]->id] = LLVMAppendBasicBlockInContext(g->lb->ctx, fn, name);
	}
	LLVMPositionBuilderAtEnd(g->b, entry);
	g->vregs = ARENA_ARRAY(g->arena, LLVMValueRef, f->nvregs + 1);
	for (int v = 0; v < f->nvregs; v++)
		g->vregs[v] = LLVMBuildAlloca(g->b, g->i64, "");
	/* Lowering reuses frame offsets once a statement is done with them
	 * (slots at one offset are the same memory): the frame is one alloca,
	 * each slot an offset from its top, as the native back end lays it
	 * out.  Separate allocas would each live through the whole function
	 * (there are no lifetime markers) and overflow 512 bytes. */
	uint32_t bytes = f->frame_max > f->frame_size ? f->frame_max : f->frame_size;
	g->slots = ARENA_ARRAY(g->arena, LLVMValueRef, f->slots.count + 1);
	if (bytes) {
		LLVMValueRef frame = LLVMBuildAlloca(g->b, LLVMArrayType(g->i8, bytes), "frame");
		LLVMSetAlignment(frame, 8);
		frame = LLVMBuildBitCast(g->b, frame, g->ptr8, "");
		for (int s = 0; s < f->slots.count; s++) {
			LLVMValueRef off = imm(g, (int64_t)bytes + f->slots.items[s].offset);
			g->slots[s] = LLVMBuildGEP2(g->b, g->i8, frame, &off, 1, "");
		}
	}
	LLVMBuildBr(g->b, g->blocks[f->blocks.items[0]->id]);
	for (int i = 0; i < f->blocks.count; i++) {
		const struct ir_block *blk = f->blocks.items[i];
		LLVMPositionBuilderAtEnd(g->b, g->blocks[blk->id]);
		bool ended = false;
		for (int j = 0; j < blk->insns.count && !ended; j++) {
			translate_insn(g, &blk->insns.items[j]);
			ended = ir_is_terminator(blk->insns.items[j].op);
		}
		if (!ended) /* a block lowering left open: it is never reached */
			LLVMBuildUnreachable(g->b);
	}
}

static eq_loc first_loc(const struct ir_func *f)
{
	for (int i = 0; i < f->blocks.count; i++)
		for (int j = 0; j < f->blocks.items[i]->insns.count; j++)
			if (f->blocks.items[i]->insns.items[j].loc.line)
				return f->blocks.items[i]->insns.items[j].loc;
	return (eq_loc){0, 0, 0};
}

static void dump_module(struct llvm_gen *g, const char *when)
{
	if (!g->lb->dump)
		return;
	char *text = LLVMPrintModuleToString(g->mod);
	fprintf(g->lb->dump, "; %s: LLVM IR %s\n%s\n", g->prog->name, when, text);
	LLVMDisposeMessage(text);
}

/* No unwinding in BPF: without nounwind LLVM writes an .eh_frame. */
static void set_nounwind(struct llvm_gen *g, LLVMValueRef fn)
{
	unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->lb->ctx, kind, 0));
}

static void build_module(struct llvm_gen *g, const struct ir_func *f)
{
	LLVMContextRef ctx = g->lb->ctx;
	g->i64 = LLVMInt64TypeInContext(ctx);
	g->i32 = LLVMInt32TypeInContext(ctx);
	g->i16 = LLVMInt16TypeInContext(ctx);
	g->i8 = LLVMInt8TypeInContext(ctx);
	g->ptr8 = LLVMPointerType(g->i8, 0);
	LLVMTypeRef two[2] = {g->i64, g->i64};
	g->pseudo_type = LLVMFunctionType(g->i64, two, 2, false);
	g->pseudo = LLVMAddFunction(g->mod, "llvm.bpf.pseudo", g->pseudo_type);
	LLVMTypeRef args[IR_MAX_ARGS];
	for (int i = 0; i < IR_MAX_ARGS; i++)
		args[i] = g->i64;
	g->sub_type = LLVMFunctionType(g->i64, args, IR_MAX_ARGS, false);
	LLVMValueRef main_fn = LLVMAddFunction(g->mod, f->name, LLVMFunctionType(g->i64, args, 1, false));
	LLVMSetSection(main_fn, PROG_SECTION);
	set_nounwind(g, main_fn);
	g->subs = ARENA_ARRAY(g->arena, LLVMValueRef, f->subprogs.count + 1);
	for (int k = 0; k < f->subprogs.count; k++) {
		const char *name = arena_printf(g->arena, "%s_sub%d", f->name, k);
		g->subs[k] = LLVMAddFunction(g->mod, name, g->sub_type);
		LLVMSetLinkage(g->subs[k], LLVMInternalLinkage);
		LLVMSetSection(g->subs[k], PROG_SECTION);
		set_nounwind(g, g->subs[k]);
	}
	g->dib = LLVMCreateDIBuilder(g->mod);
	g->di_file = LLVMDIBuilderCreateFile(g->dib, "script", 6, "", 0);
	LLVMDIBuilderCreateCompileUnit(g->dib, LLVMDWARFSourceLanguageC, g->di_file, "ebpfq", 5, true,
				       "", 0, 0, "", 0, LLVMDWARFEmissionLineTablesOnly, 0, false, false,
				       "", 0, "", 0);
	g->di_type = LLVMDIBuilderCreateSubroutineType(g->dib, g->di_file, NULL, 0, LLVMDIFlagZero);
	LLVMAddModuleFlag(g->mod, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
			  LLVMValueAsMetadata(LLVMConstInt(g->i32, LLVMDebugMetadataVersion(), false)));
	translate_func(g, f, main_fn);
	for (int k = 0; k < f->subprogs.count; k++)
		translate_func(g, f->subprogs.items[k], g->subs[k]);
	LLVMDIBuilderFinalize(g->dib);
	LLVMDisposeDIBuilder(g->dib);
}

/* Optimise and compile the module; returns the object, or NULL with an
 * error in *error. */
static LLVMMemoryBufferRef compile_module(struct llvm_gen *g, const char **error)
{
	struct llvm_backend *lb = g->lb;
	char *msg = NULL;
	if (LLVMVerifyModule(g->mod, LLVMReturnStatusAction, &msg)) {
		*error = arena_printf(g->arena, "internal error: the LLVM IR made is malformed: %s", msg);
		LLVMDisposeMessage(msg);
		return NULL;
	}
	LLVMDisposeMessage(msg);
	msg = NULL;
	jmp_buf back;
	LLVMMemoryBufferRef obj = NULL;
	fatal_return = &back;
	if (setjmp(back)) {
		fatal_return = NULL;
		*error = arena_printf(g->arena, "LLVM failed: %s", fatal_reason);
		return NULL;
	}
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef err = LLVMRunPasses(g->mod, "default<O2>", lb->tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (err) {
		char *text = LLVMGetErrorMessage(err);
		*error = arena_printf(g->arena, "LLVM's optimiser failed: %s", text);
		LLVMDisposeErrorMessage(text);
		fatal_return = NULL;
		return NULL;
	}
	dump_module(g, "after -O2");
	bool failed = LLVMTargetMachineEmitToMemoryBuffer(lb->tm, g->mod, LLVMObjectFile, &msg, &obj);
	fatal_return = NULL;
	if (lb->diag_error) {
		*error = arena_strdup(g->arena, lb->diag_error);
		free(lb->diag_error);
		lb->diag_error = NULL;
		if (obj)
			LLVMDisposeMemoryBuffer(obj);
		LLVMDisposeMessage(msg);
		return NULL;
	}
	if (failed) {
		*error = arena_printf(g->arena, "LLVM's BPF target failed: %s", msg ? msg : "");
		LLVMDisposeMessage(msg);
		return NULL;
	}
	return obj;
}

int llvm_backend_compile(struct llvm_backend *lb, struct arena *a, const struct ir_func *f,
			 struct emit_result *out, const char **error)
{
	struct llvm_gen g = {.lb = lb, .arena = a, .prog = f};
	g.mod = LLVMModuleCreateWithNameInContext(f->name, lb->ctx);
	const char *triple = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "bpfel" : "bpfeb";
	LLVMSetTarget(g.mod, triple);
	LLVMSetModuleDataLayout(g.mod, lb->layout);
	g.b = LLVMCreateBuilderInContext(lb->ctx);
	build_module(&g, f);
	LLVMDisposeBuilder(g.b);
	dump_module(&g, "before optimisation");
	LLVMMemoryBufferRef obj = compile_module(&g, error);
	int rc = -1;
	if (obj) {
		const char **names = ARENA_ARRAY(a, const char *, f->subprogs.count + 1);
		eq_loc *locs = ARENA_ARRAY(a, eq_loc, f->subprogs.count + 1);
		for (int k = 0; k < f->subprogs.count; k++) {
			names[k] = LLVMGetValueName2(g.subs[k], &(size_t){0});
			locs[k] = first_loc(f->subprogs.items[k]);
		}
		struct llvm_elf_in in = {
			.object = LLVMGetBufferStart(obj), .size = LLVMGetBufferSize(obj),
			.section = PROG_SECTION, .main_name = f->name, .main_loc = first_loc(f),
			.sub_names = names, .sub_locs = locs, .nsubs = f->subprogs.count,
		};
		rc = llvm_elf_read(a, &in, out, error);
		LLVMDisposeMemoryBuffer(obj);
	}
	LLVMDisposeModule(g.mod);
	return rc;
}
