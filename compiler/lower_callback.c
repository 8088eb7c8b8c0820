/* lower_callback.c - AST to IR for subprograms: functions a helper calls
 * back (bpf_for_each_map_elem's callback), lowered as functions of their
 * own that the program names with FUNCADDR.  The emitter places each after
 * the program (emit.c), regalloc and vcheck treat each as a function with
 * its own frame (compile.c).
 */
#define LOWER_INTERNAL
#include "lower.h"

int lower_add_subprog(struct lower *L, struct ir_func *f)
{
	struct ir_func *main = L->prog->main;
	ARENA_PUSH(L->arena, main->subprogs, f);
	return main->subprogs.count - 1;
}

int lower_funcaddr(struct lower *L, int subprog, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, IR_FUNCADDR, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = subprog;
	return in->dst;
}

int lower_continue_subprog(struct lower *L, eq_loc loc)
{
	if (L->prog->continue_subprog >= 0)
		return L->prog->continue_subprog;
	struct ir_func *f = ir_func_new(L->arena, arena_printf(L->arena, "%s.continue", L->prog->main->name));
	struct ir_block *b = ir_block_new(L->arena, f);
	ir_emit(L->arena, b, IR_RET, loc)->a = ir_imm(0);
	L->prog->continue_subprog = lower_add_subprog(L, f);
	return L->prog->continue_subprog;
}
