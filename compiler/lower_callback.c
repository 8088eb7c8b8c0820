/* lower_callback.c - AST to IR for subprograms: functions a helper calls
 * back (bpf_for_each_map_elem's callback), lowered as functions of their
 * own that the program names with FUNCADDR.  The emitter places each after
 * the program (emit.c), regalloc and vcheck treat each as a function with
 * its own frame (compile.c).
 */
#define LOWER_INTERNAL
#include "lower.h"

#include "builtins/builtins.h"

int lower_add_subprog(struct lower *L, struct ir_func *f)
{
	struct ir_func *prog = L->prog->main;
	ARENA_PUSH(L->arena, prog->subprogs, f);
	return prog->subprogs.count - 1;
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
	ir_emit(L->env->insn_arena, b, IR_RET, loc)->a = ir_imm(0);
	L->prog->continue_subprog = lower_add_subprog(L, f);
	return L->prog->continue_subprog;
}

/* ---- for ($kv : @m) { ... } ------------------------------------------------------
 *
 * The body is a callback of bpf_for_each_map_elem: a subprogram called
 * with the map's key (r2) and this CPU's value (r3) of each entry, and a
 * context of the probe's choosing (r4), which returns 0 to go on and 1 to
 * stop.  The probe lends it 16 bytes of its stack as that context:
 *
 *   [0]   stop: the body ran `return` or exit(); the probe returns too
 *   [8]   the probe's context (args, argN...), if the body reads it: a
 *         spilled pointer, which the kernel restores as the context
 *
 * The probe's integer variables that the body uses are copied into the
 * scratch map before the call and out after it (and likewise by the
 * callback at its entry and at each of its exits), so a variable written
 * in one iteration is seen in the next and after the loop, as in C.  Not
 * on the stack: the verifier checks a callback as a loop, until what it
 * knows of the state at the callback's entry stops changing, and it knows
 * an integer on the stack exactly - a counter compared with something
 * would never settle - while it knows nothing of a map's bytes.  A string
 * or tuple the body uses lives in the scratch map all along (set_up_vars in
 * lower.c), where the callback reaches it without a copy.  The callback
 * finds them all at the same offsets in the program's region there; its
 * own big temporaries come after what the probe holds when the loop
 * starts.
 *
 * $kv is the callback's: the key copied from r2, and the value as a
 * program reads it - copied from r3, or for an aggregation (per-CPU, r3
 * is this CPU's only) summed over the CPUs as @m[k] is read.  stats, hist
 * and lhist have no single value: print($kv.1) sends the key, and user
 * space prints the entry as print(@h[k]) does.
 *
 * A loop in a loop's body is lowered the same way from the outer callback,
 * which lends the inner one what the probe lent it: the context, the
 * shared integers (through the scratch map again), and its own $kv, which
 * it keeps in the scratch map when an inner body names it.
 */

enum { REGION_STOP = 0, REGION_CTX = 8, REGION_SIZE = 16 };

/* A variable named in a loop's body that is not the innermost loop's own
 * lives outside that loop's callback: in the probe, or in the callback of a
 * loop around it (its $kv); that callback must reach it. */
struct loop_marks {
	uint8_t *var_use;
	int innermost; /* the sema id of the innermost loop's variable, -1 outside loops */
};

static bool mark_vars(const struct ast *node, void *arg)
{
	struct loop_marks *m = arg;
	if (node->kind == AST_VAR && m->innermost >= 0 && node->sema_id != m->innermost)
		m->var_use[node->sema_id] |= VAR_SHARED;
	if (node->kind != AST_FOR || node->b->kind != AST_MAP)
		return true;
	m->var_use[node->a->sema_id] |= VAR_ENTRY;
	ast_visit(node->c, mark_vars, &(struct loop_marks){m->var_use, node->a->sema_id});
	return false;
}

void lower_find_loop_vars(const struct ast *body, uint8_t *var_use)
{
	ast_visit(body, mark_vars, &(struct loop_marks){var_use, -1});
}

/* The probe's integer variables that a body names, each once (ids[0..n)),
 * in the scratch map at `at`; by sema id, whether the body assigns it.
 * Only those come back: one the body only reads keeps, in the probe, all
 * the verifier knows of it (a range loop's counter, its bound). */
struct shared_ints {
	const struct lower *L;
	int *ids, n;
	bool *seen, *written;
	int32_t at;
};

static bool find_shared_int(const struct ast *node, void *arg)
{
	struct shared_ints *sh = arg;
	const struct lower *L = sh->L;
	if (node->kind == AST_VAR && (L->var_use[node->sema_id] & VAR_SHARED) && !sh->seen[node->sema_id] &&
	    !ty_in_memory(&L->env->info->vars.items[node->sema_id].type)) {
		sh->seen[node->sema_id] = true;
		sh->ids[sh->n++] = node->sema_id;
	}
	bool assigns = node->kind == AST_ASSIGN || node->kind == AST_INCDEC ||
		       (node->kind == AST_FOR && node->b->kind == AST_RANGE);
	if (assigns && node->a->kind == AST_VAR)
		sh->written[node->a->sema_id] = true;
	return true;
}

/* The variables in memory that the body names: the caller's slots in the
 * scratch map (the probe's variables, an outer loop's $kv), named in the
 * callback by their offsets there. */
struct scratch_vars {
	struct lower *callback;
	const struct lower *probe;
};

static bool alias_scratch_var(const struct ast *node, void *arg)
{
	struct scratch_vars *sv = arg;
	struct lower *C = sv->callback;
	const struct lower *L = sv->probe;
	if (node->kind == AST_VAR && C->var_slot[node->sema_id] < 0 && L->var_slot[node->sema_id] >= 0 &&
	    (L->var_use[node->sema_id] & VAR_SHARED))
		C->var_slot[node->sema_id] = lower_scratch_alias(C, lower_scratch_offset(L, L->var_slot[node->sema_id]));
	return true;
}

static int arg(struct lower *C, int n, eq_loc loc)
{
	struct ir_insn *in = lower_emit(C, IR_ARG, loc);
	in->dst = ir_vreg_new(C->f);
	in->imm = n;
	return in->dst;
}

/* A histogram's map holds one entry per (key, bucket), and the callback is
 * called for each: the body runs for a key only at its lowest bucket, the
 * one where no lookup of a lower bucket of the same key finds an entry.
 * At most one lookup per bucket below: bounded by the bucket count, so
 * the verifier sees the loop end. */
static void skip_all_but_lowest_bucket(struct lower *C, const struct ast *m, int key,
				       struct ir_block *skip, eq_loc loc)
{
	const struct sema_map *sm = lower_map_info(C, m);
	int32_t key_size = (int32_t)sm->key_size;
	int bucket = lower_load(C, key, key_size, 8, false, loc);
	int below = lower_slot(C, sm->key_size + 8); /* the same key, a lower bucket */
	for (int32_t w = 0; w < key_size; w += 8)
		lower_store(C, below, w, 8, ir_reg(lower_load(C, key, w, 8, false, loc)), loc);
	int b = ir_vreg_new(C->f);
	lower_mov(C, b, ir_imm(0), loc);
	struct ir_block *head = lower_block(C), *bounded = lower_block(C), *look = lower_block(C),
			*next = lower_block(C), *visit = lower_block(C);
	lower_jump(C, head, loc);
	lower_place(C, head);
	lower_branch(C, IRC_UGE, ir_reg(b), ir_reg(bucket), visit, bounded, loc);
	lower_place(C, bounded);
	lower_branch(C, IRC_UGE, ir_reg(b), ir_imm(agg_buckets(&sm->value)), visit, look, loc);
	lower_place(C, look);
	lower_store(C, below, key_size, 8, ir_reg(b), loc);
	lower_lookup(C, m, below, skip, next);
	lower_place(C, next);
	struct ir_insn *inc = lower_emit(C, IR_ADD, loc);
	inc->dst = b, inc->a = ir_reg(b), inc->b = ir_imm(1);
	lower_jump(C, head, loc);
	lower_place(C, visit);
}

/* $kv = (key, value) of the entry the callback is called with. */
static void fill_entry(struct lower *C, const struct ast *var, const struct ast *m, int key, int value,
		       eq_loc loc)
{
	const struct sema_map *sm = lower_map_info(C, m);
	const struct eq_type *t = lower_type_of(C, var);
	const struct ty_field *k = &t->fields[0], *v = &t->fields[1];
	int slot = C->var_slot[var->sema_id];
	lower_copy_value(C, (struct mem_ref){key, -1, 0}, k->type, slot, (int32_t)k->offset, k->type, loc);
	if (sm->value.kind != TY_AGG) {
		lower_copy_value(C, (struct mem_ref){value, -1, 0}, &sm->value, slot, (int32_t)v->offset,
				 v->type, loc);
		return;
	}
	const struct builtin *b = builtin_find(BUILTIN_CALL, agg_name(sm->value.agg));
	if (b && b->lower_read_at) /* else no single value: nothing to keep */
		lower_store(C, slot, (int32_t)v->offset, 8, b->lower_read_at(C, m->sema_id, key, loc), loc);
}

/* The shared integers the body assigns back into the scratch map (at
 * each exit of the callback). */
static void copy_out(struct lower *C, int vars, const struct shared_ints *sh, eq_loc loc)
{
	for (int i = 0; i < sh->n; i++)
		if (sh->written[sh->ids[i]])
			lower_store(C, vars, 8 * i, 8, ir_reg(C->var_vreg[sh->ids[i]]), loc);
}

static bool reads_vreg(const struct ir_func *f, int v)
{
	for (int i = 0; i < f->blocks.count; i++)
		for (int j = 0; j < f->blocks.items[i]->insns.count; j++) {
			int u[IR_MAX_ARGS + 3], n = ir_uses(&f->blocks.items[i]->insns.items[j], u);
			for (int k = 0; k < n; k++)
				if (u[k] == v)
					return true;
		}
	return false;
}

/* The callback: a subprogram lowered with a `struct lower` of its own.
 * Returns its index; *reads_ctx says whether the probe must lend it its
 * context. */
static int lower_loop_body(struct lower *L, const struct ast *st, const struct shared_ints *sh,
			   bool *reads_ctx)
{
	const struct ast *var = st->a, *m = st->b;
	eq_loc loc = st->loc;
	int nvars = L->env->info->vars.count;
	struct lower C = {.env = L->env, .arena = L->arena, .ap = L->ap, .prog = L->prog,
			  .var_use = L->var_use, .scratch_vreg = -1, .stack_slot_max = CALLBACK_STACK_SLOT_MAX,
			  .scratch_size = L->scratch_size, .scratch_max = L->scratch_size};
	C.var_vreg = ARENA_ARRAY(L->env->var_arena, int, nvars + 1);
	C.var_slot = ARENA_ARRAY(L->env->var_arena, int, nvars + 1);
	for (int i = 0; i < nvars; i++)
		C.var_vreg[i] = C.var_slot[i] = -1;
	C.f = ir_func_new(L->arena, arena_printf(L->arena, "%s.for%d", L->prog->main->name, loc.line));
	int index = lower_add_subprog(L, C.f);
	lower_place(&C, lower_block(&C));
	C.exit = lower_block(&C); /* return, exit(): the probe stops too */
	struct ir_block *next = lower_block(&C), *stop = lower_block(&C);
	int key = arg(&C, 1, loc), value = arg(&C, 2, loc), region = arg(&C, 3, loc);
	C.ctx = lower_load(&C, region, REGION_CTX, 8, false, loc); /* dead code if unread */
	int vars = sh->n ? lower_scratch_alias(&C, sh->at) : -1;
	for (int i = 0; i < sh->n; i++)
		C.var_vreg[sh->ids[i]] = lower_load_slot(&C, vars, 8 * i, 8, loc);
	ast_visit(st->c, alias_scratch_var, &(struct scratch_vars){&C, L});
	uint32_t entry_size = ty_slot_size(lower_type_of(&C, var));
	C.var_slot[var->sema_id] = C.var_use[var->sema_id] & VAR_SHARED /* a loop inside reads it */
				   ? lower_scratch_slot(&C, entry_size) : lower_slot(&C, entry_size);
	const struct eq_type *value_type = &lower_map_info(&C, m)->value;
	if (value_type->kind == TY_AGG && (value_type->agg == AGG_HIST || value_type->agg == AGG_LHIST))
		skip_all_but_lowest_bucket(&C, m, key, next, loc);
	fill_entry(&C, var, m, key, value, loc);

	ARENA_PUSH(C.arena, C.loops, ((struct lower_loop){stop, next}));
	lower_body(&C, st->c);
	lower_jump(&C, next, loc);
	lower_place(&C, C.exit);
	lower_store_at(&C, region, REGION_STOP, 8, ir_imm(1), loc);
	lower_jump(&C, stop, loc);
	lower_place(&C, next);
	copy_out(&C, vars, sh, loc);
	lower_emit(&C, IR_RET, loc)->a = ir_imm(0);
	lower_place(&C, stop);
	copy_out(&C, vars, sh, loc);
	lower_emit(&C, IR_RET, loc)->a = ir_imm(1);
	if (C.scratch_vreg >= 0) { /* the lookup cannot fail: stop, with nothing to copy */
		struct ir_block *no_scratch = lower_block(&C);
		lower_place(&C, no_scratch);
		lower_emit(&C, IR_RET, loc)->a = ir_imm(1);
		lower_scratch_prologue(&C, no_scratch, loc);
	}
	C.f->frame_size = C.f->frame_max;
	if (C.scratch_max > L->scratch_max)
		L->scratch_max = C.scratch_max;
	L->failed |= C.failed;
	*reads_ctx = reads_vreg(C.f, C.ctx);
	return index;
}

void lower_for_map(struct lower *L, const struct ast *st)
{
	eq_loc loc = st->loc;
	int nvars = L->env->info->vars.count;
	struct arena *a = L->env->var_arena;
	struct shared_ints sh = {.L = L, .ids = ARENA_ARRAY(a, int, nvars + 1),
				 .seen = ARENA_ARRAY(a, bool, nvars + 1),
				 .written = ARENA_ARRAY(a, bool, nvars + 1)};
	ast_visit(st->c, find_shared_int, &sh);
	int n = sh.n, *ids = sh.ids;
	int vars = n ? lower_scratch_slot(L, 8 * (uint32_t)n) : -1; /* before the callback's own */
	sh.at = n ? lower_scratch_offset(L, vars) : 0;
	bool reads_ctx;
	int callback = lower_loop_body(L, st, &sh, &reads_ctx);

	int region = lower_stack_slot(L, REGION_SIZE);
	lower_store(L, region, REGION_STOP, 8, ir_imm(0), loc);
	if (reads_ctx)
		lower_store(L, region, REGION_CTX, 8, ir_reg(L->ctx), loc);
	for (int i = 0; i < n; i++) {
		if (L->var_vreg[ids[i]] < 0) { /* not assigned yet: the body assigns it first */
			L->var_vreg[ids[i]] = ir_vreg_new(L->f);
			lower_mov(L, L->var_vreg[ids[i]], ir_imm(0), loc);
		}
		lower_store(L, vars, 8 * i, 8, ir_reg(L->var_vreg[ids[i]]), loc);
	}
	int map = lower_map_addr(L, st->b->sema_id, loc);
	int fn = lower_funcaddr(L, callback, loc);
	int ctx = lower_frame_addr(L, region, 0, loc);
	lower_call(L, BPF_FUNC_for_each_map_elem, loc, 4, ir_reg(map), ir_reg(fn), ir_reg(ctx), ir_imm(0));
	for (int i = 0; i < n; i++)
		if (sh.written[ids[i]])
			lower_mov(L, L->var_vreg[ids[i]], ir_reg(lower_load_slot(L, vars, 8 * i, 8, loc)), loc);
	struct ir_block *go_on = lower_block(L);
	int stopped = lower_load_slot(L, region, REGION_STOP, 8, loc);
	lower_branch(L, IRC_NE, ir_reg(stopped), ir_imm(0), L->exit, go_on, loc);
	lower_place(L, go_on);
}

void lower_print_map_entry(struct lower *L, const struct ast *value, eq_loc loc)
{
	const struct ast *var = value->a; /* $kv.1: sema allows nothing else here */
	const struct sema_var *sv = &L->env->info->vars.items[var->sema_id];
	const struct eq_type *entry = lower_type_of(L, var);
	struct mem_ref key = {-1, L->var_slot[var->sema_id], (int32_t)entry->fields[0].offset};
	lower_send_key_at_event(L, EQ_OUT_PRINT_ENTRY, sv->map, key, entry->fields[0].type, loc);
}
