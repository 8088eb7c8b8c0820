/* lower_event.c - AST to IR for what leaves the program: events through the
 * ring buffer (printf, print, exit, clear) and map updates.
 *
 * An event record is built on the stack, [u64 output index][arguments],
 * and sent with bpf_ringbuf_output(); if the ring buffer is full the drop
 * counter (a u64 in the drops map, addressed directly) is incremented
 * atomically, so no event is lost silently; a map update the kernel refuses
 * (a full map) is counted the same way, in the next u64 of that value.  Aggregations (count, sum) go
 * to per-CPU maps with a plain read-modify-write: no atomics on the hot
 * path, and user space sums the CPUs.
 */
#define LOWER_INTERNAL
#include "lower.h"

#include <signal.h>
#include <string.h>

#include "builtins/builtins.h"

/* the most bytes an event record may have: a big one is built in the
 * scratch map (lower_slot), and must leave room in the 256 KiB ring buffer */
enum { RECORD_LIMIT = 16384 };

/* what the kernel puts before each ring buffer record (BPF_RINGBUF_HDR_SZ) */
enum { RINGBUF_RECORD_HEADER = 8 };

static uint32_t round8(uint32_t n)
{
	return (n + 7) & ~7u;
}

const struct sema_map *lower_map_info(const struct lower *L, const struct ast *m)
{
	return &L->env->info->maps.items[m->sema_id];
}

static int add_output(struct lower *L, struct eq_output o)
{
	ARENA_PUSH(L->env->img_arena, L->env->outputs, o);
	L->env->uses_events = true;
	return L->env->outputs.count - 1;
}

int lower_data_addr(struct lower *L, int32_t off, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, IR_MAPVAL, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = L->env->drops_map;
	in->mem.off = off;
	return in->dst;
}

/* If the helper call that returned `ret` failed (non-zero), add one to the
 * u64 counter at `counter_off` in the drops map's value, atomically: the
 * runtime reports these counters at exit, so nothing fails silently. */
static void count_failure(struct lower *L, int ret, int32_t counter_off, eq_loc loc)
{
	struct ir_block *failed = lower_block(L), *cont = lower_block(L);
	lower_branch(L, IRC_EQ, ir_reg(ret), ir_imm(0), cont, failed, loc);
	lower_place(L, failed);
	lower_count_data(L, counter_off, loc);
	lower_jump(L, cont, loc);
	lower_place(L, cont);
}

void lower_count_data(struct lower *L, int32_t counter_off, eq_loc loc)
{
	int counter = lower_data_addr(L, counter_off, loc);
	struct ir_insn *in = lower_emit(L, IR_CONST, loc);
	in->dst = ir_vreg_new(L->f);
	in->imm = 1;
	int one = in->dst;
	in = lower_emit(L, IR_ATOMIC_ADD, loc);
	in->mem = (struct ir_addr){.base = counter, .slot = -1, .off = 0};
	in->size = 8;
	in->a = ir_reg(one);
}

/* The record's first u64: the output index, and where lines are assembled
 * by thread (eq_image.lines_by_thread) the tid in the high half: the low
 * half of bpf_get_current_pid_tgid(), shifted there. */
static void store_header(struct lower *L, int slot, int id, eq_loc loc)
{
	if (!L->env->lines_by_thread) {
		lower_store(L, slot, 0, 8, ir_imm(id), loc);
		return;
	}
	int pid_tgid = lower_call(L, BPF_FUNC_get_current_pid_tgid, loc, 0);
	int header = lower_binop(L, IR_SHL, ir_reg(pid_tgid), ir_imm(32), loc);
	if (id)
		header = lower_binop(L, IR_OR, ir_reg(header), ir_imm(id), loc);
	lower_store(L, slot, 0, 8, ir_reg(header), loc);
}

/* ringbuf_output(record); on failure count the loss.  Returns what the
 * helper returned. */
static int send_record(struct lower *L, int slot, uint32_t size, eq_loc loc)
{
	int map = lower_map_addr(L, L->env->ringbuf_map, loc);
	int addr = lower_frame_addr(L, slot, 0, loc);
	int r = lower_call(L, BPF_FUNC_ringbuf_output, loc, 4, ir_reg(map), ir_reg(addr),
			   ir_imm(size), ir_imm(0));
	count_failure(L, r, DROPS_VALUE_LOST, loc);
	/* for the ring buffer's size (compile.c): BEGIN and END run once, so
	 * a record sent outside any loop of theirs is sent at most once */
	bool once = L->ap && (L->ap->attach == EQ_ATTACH_BEGIN || L->ap->attach == EQ_ATTACH_END) &&
		    !L->loops.count && L->f == L->prog->main;
	if (once)
		L->env->once_event_bytes += RINGBUF_RECORD_HEADER + round8(size);
	else
		L->env->streams_events = true;
	return r;
}

/* A record of the output index and, if `word`, one u64. */
static struct eq_output *send_small(struct lower *L, enum eq_output_kind kind, int map,
				    const struct ir_val *word, eq_loc loc)
{
	uint32_t size = word ? 16 : 8;
	struct eq_output o = {.kind = kind, .record_size = size, .map_index = (uint32_t)map,
			      .line = (uint32_t)loc.line, .col = (uint32_t)loc.col};
	int id = add_output(L, o);
	int slot = lower_slot(L, size);
	store_header(L, slot, id, loc);
	if (word)
		lower_store(L, slot, 8, 8, *word, loc);
	send_record(L, slot, size, loc);
	return &L->env->outputs.items[id];
}

struct eq_output *lower_send_event(struct lower *L, enum eq_output_kind kind, int map, eq_loc loc)
{
	return send_small(L, kind, map, NULL, loc);
}

struct eq_output *lower_send_value_event(struct lower *L, enum eq_output_kind kind, struct ir_val v,
					 eq_loc loc)
{
	return send_small(L, kind, 0, &v, loc);
}

/* A record too big for the stack is an error on the user's line. */
static bool record_fits(struct lower *L, uint32_t size, eq_loc loc)
{
	if (size <= RECORD_LIMIT)
		return true;
	diag_error(L->env->diag, loc, "this output needs %u bytes, more than the %u an event may "
		   "have; print fewer or shorter strings (--strlen)", size, RECORD_LIMIT);
	L->failed = true;
	return false;
}

int lower_event_slot(struct lower *L, enum eq_output_kind kind, uint32_t size, eq_loc loc,
		     struct eq_output **out)
{
	if (!record_fits(L, size, loc))
		return -1;
	struct eq_output o = {.kind = kind, .record_size = size,
			      .line = (uint32_t)loc.line, .col = (uint32_t)loc.col};
	int id = add_output(L, o);
	int slot = lower_slot(L, size);
	store_header(L, slot, id, loc);
	*out = &L->env->outputs.items[id];
	return slot;
}

void lower_event_send(struct lower *L, int slot, uint32_t size, eq_loc loc)
{
	send_record(L, slot, size, loc);
}

/* The record of an event about one entry of map `map`: its output index
 * stored, the key to go at offset 8; -1 if it is too big. */
static int key_record(struct lower *L, enum eq_output_kind kind, int map, uint32_t *size, eq_loc loc)
{
	struct eq_output *o;
	*size = 8 + L->env->info->maps.items[map].key_size;
	int slot = lower_event_slot(L, kind, *size, loc, &o);
	if (slot >= 0)
		o->map_index = (uint32_t)map;
	return slot;
}

void lower_send_key_event(struct lower *L, enum eq_output_kind kind, const struct ast *m, eq_loc loc)
{
	uint32_t size;
	int slot = key_record(L, kind, m->sema_id, &size, loc);
	if (slot < 0)
		return;
	lower_key_into(L, m, slot, 8);
	send_record(L, slot, size, loc);
}

void lower_send_key_at_event(struct lower *L, enum eq_output_kind kind, int map, struct mem_ref key,
			     const struct eq_type *key_type, eq_loc loc)
{
	uint32_t size;
	int slot = key_record(L, kind, map, &size, loc);
	if (slot < 0)
		return;
	lower_copy_value(L, key, key_type, slot, 8, key_type, loc);
	send_record(L, slot, size, loc);
}

/* A C type's field, at its own size (in a struct, an integer is as wide as
 * its type; a value the program computed is a whole word). */
static struct eq_field c_field_of(struct arena *a, const struct eq_type *t, uint32_t offset)
{
	struct eq_field f = {EQ_FIELD_INT, offset, t->size, t->is_signed, NULL, 0, NULL, 0, 0};
	if (t->kind == TY_PTR) {
		f.kind = EQ_FIELD_ADDR;
	} else if (t->kind == TY_STR) { /* a member of args */
		f.kind = EQ_FIELD_STR;
	} else if (ty_is_chars(t)) {
		f.kind = EQ_FIELD_STR;
	} else if (t->kind == TY_ARRAY) {
		f.kind = EQ_FIELD_ARRAY;
		f.nelems = (int)t->count;
		f.elems = ARENA_ARRAY(a, struct eq_field, 1);
		f.elems[0] = c_field_of(a, t->elem, 0);
	} else if (t->kind == TY_RECORD) {
		int n;
		const struct ty_field *fields = ty_record_fields(t, &n);
		f.kind = EQ_FIELD_RECORD;
		f.elems = ARENA_ARRAY(a, struct eq_field, n + 1);
		for (int i = 0; i < n; i++) {
			struct eq_field *e = &f.elems[f.nelems++];
			*e = c_field_of(a, fields[i].type, fields[i].offset);
			e->name = fields[i].name ? arena_strdup(a, fields[i].name) : NULL;
			if (fields[i].bit_size) {
				e->bits = fields[i].bit_size;
				e->bit_offset = (uint16_t)(fields[i].bit_offset - fields[i].offset * 8);
			}
		}
	}
	return f;
}

struct eq_field lower_field_of(struct arena *a, const struct eq_type *t, uint32_t offset)
{
	struct eq_field f = {EQ_FIELD_INT, offset, ty_slot_size(t), t->is_signed, NULL, 0, NULL, 0, 0};
	if (t->kind == TY_STR) {
		f.kind = EQ_FIELD_STR;
	} else if (t->kind == TY_PTR) {
		f.kind = EQ_FIELD_ADDR;
	} else if (t->kind == TY_TUPLE) {
		f.kind = EQ_FIELD_TUPLE;
		f.nelems = t->nfields;
		f.elems = ARENA_ARRAY(a, struct eq_field, t->nfields + 1);
		for (int i = 0; i < t->nfields; i++)
			f.elems[i] = lower_field_of(a, t->fields[i].type, t->fields[i].offset);
	} else if (t->kind == TY_RECORD || t->kind == TY_ARRAY) {
		f = c_field_of(a, t, offset);
	} else if (t->kind == TY_TEXT) {
		_Static_assert((int)TEXT_INET == (int)EQ_TEXT_INET && (int)TEXT_USERNAME == (int)EQ_TEXT_USERNAME &&
			       (int)TEXT_CGROUP == (int)EQ_TEXT_CGROUP && (int)TEXT_TIME == (int)EQ_TEXT_TIME &&
			       (int)TEXT_BUF == (int)EQ_TEXT_BUF, "enum ty_text and enum eq_text name the same kinds");
		f.kind = EQ_FIELD_TEXT;
		f.text = (uint8_t)t->text;
		f.format = t->name ? arena_strdup(a, t->name) : NULL;
	} else if (ty_is_symbolic(t)) {
		f.kind = t->kind == TY_STACK ? EQ_FIELD_STACK : EQ_FIELD_SYMBOL;
		f.user = t->user;
		f.stack_mode = t->stack_mode;
		f.frames = t->frames;
	}
	return f;
}

void lower_print_value(struct lower *L, const struct ast *e, eq_loc loc)
{
	uint32_t size = 8 + ty_slot_size(e->type);
	if (!record_fits(L, size, loc))
		return;
	struct eq_output o = {.kind = EQ_OUT_PRINT_VALUE, .record_size = size,
			      .value = lower_field_of(L->env->img_arena, e->type, 0),
			      .line = (uint32_t)loc.line, .col = (uint32_t)loc.col};
	int id = add_output(L, o);
	int slot = lower_slot(L, size);
	store_header(L, slot, id, loc);
	lower_value_into(L, e, e->type, slot, 8);
	send_record(L, slot, size, loc);
}

/* printf(fmt, args...) and the other calls with a format (system(),
 * cat()): one record of the output kind, arguments at 8-byte aligned offsets
 * after the output index; constant strings stay in the image and cost the
 * program nothing. */
void lower_printf(struct lower *L, enum eq_output_kind kind, const char *fmt, struct ast *const *args,
		  int nargs, eq_loc loc)
{
	struct eq_output o = {.kind = kind, .fmt = arena_strdup(L->env->img_arena, fmt),
			      .nargs = nargs,
			      .line = (uint32_t)loc.line, .col = (uint32_t)loc.col};
	o.args = ARENA_ARRAY(L->env->img_arena, struct eq_arg, nargs + 1);
	uint32_t off = 8;
	for (int i = 0; i < nargs; i++) {
		const struct ast *e = args[i];
		struct eq_arg *a = &o.args[i];
		const char *text = lower_const_text(L, e);
		if (text) {
			a->kind = EQ_ARG_CONST;
			a->text = arena_strdup(L->env->img_arena, text);
		} else if (ty_is_symbolic(e->type)) { /* printed as the text user space makes of it */
			*a = (struct eq_arg){EQ_ARG_FIELD, off, ty_slot_size(e->type), false, NULL,
					     lower_field_of(L->env->img_arena, e->type, 0)};
			off += a->size;
		} else if (e->type->kind == TY_STR || ty_is_chars(e->type)) { /* char[N]: N and a NUL */
			uint32_t size = e->type->kind == TY_STR ? e->type->size : e->type->size + 1;
			*a = (struct eq_arg){EQ_ARG_STR, off, round8(size), false, NULL};
			off += a->size;
		} else {
			uint32_t size = lower_reads_int_in_place(e) ? e->type->size : 8;
			*a = (struct eq_arg){EQ_ARG_INT, off, size, e->type->is_signed, NULL};
			off += 8;
		}
	}
	if (!record_fits(L, off, loc))
		return;
	o.record_size = off;
	int id = add_output(L, o);
	int slot = lower_slot(L, off);
	store_header(L, slot, id, loc);
	for (int i = 0; i < nargs; i++) {
		const struct eq_arg *a = &o.args[i];
		if (a->kind == EQ_ARG_STR)
			lower_str_into(L, args[i], slot, (int32_t)a->offset, a->size);
		else if (a->kind == EQ_ARG_FIELD)
			lower_value_into(L, args[i], args[i]->type, slot, (int32_t)a->offset);
		else if (a->kind == EQ_ARG_INT && lower_reads_int_in_place(args[i]))
			lower_int_read_into(L, args[i], slot, (int32_t)a->offset);
		else if (a->kind == EQ_ARG_INT)
			lower_store(L, slot, (int32_t)a->offset, 8, lower_int(L, args[i]), args[i]->loc);
	}
	send_record(L, slot, off, loc);
}

bool lower_map_is_array(const struct lower *L, const struct ast *m)
{
	const struct sema_map *sm = lower_map_info(L, m);
	return sm->nkeys == 0 && sm->value.kind == TY_AGG;
}

int lower_key(struct lower *L, const struct ast *m)
{
	return lower_key_sized(L, m, lower_map_info(L, m)->key_size);
}

int lower_key_sized(struct lower *L, const struct ast *m, uint32_t slot_size)
{
	int slot = lower_slot(L, slot_size);
	lower_key_into(L, m, slot, 0);
	return slot;
}

void lower_key_into(struct lower *L, const struct ast *m, int slot, int32_t at)
{
	const struct sema_map *sm = lower_map_info(L, m);
	if (sm->nkeys == 0) {
		lower_store(L, slot, at, 4, ir_imm(0), m->loc);
		return;
	}
	for (int i = 0; i < sm->nkeys; i++)
		lower_value_into(L, m->list.items[i], &sm->keys[i], slot, at + (int32_t)sm->key_offsets[i]);
}

/* p = map_lookup_elem(map, &key); branch on NULL. */
int lower_lookup(struct lower *L, const struct ast *m, int key, struct ir_block *hit,
		 struct ir_block *miss)
{
	int map = lower_map_addr(L, m->sema_id, m->loc);
	int kaddr = lower_frame_addr(L, key, 0, m->loc);
	int p = lower_call(L, BPF_FUNC_map_lookup_elem, m->loc, 2, ir_reg(map), ir_reg(kaddr));
	lower_branch(L, IRC_EQ, ir_reg(p), ir_imm(0), miss, hit, m->loc);
	return p;
}

void lower_update(struct lower *L, int map_index, int key, int value, eq_loc loc)
{
	int map = lower_map_addr(L, map_index, loc);
	int kaddr = lower_frame_addr(L, key, 0, loc);
	int vaddr = lower_frame_addr(L, value, 0, loc);
	int r = lower_call(L, BPF_FUNC_map_update_elem, loc, 4, ir_reg(map), ir_reg(kaddr),
			   ir_reg(vaddr), ir_imm(BPF_ANY));
	/* a full map (-E2BIG) refuses new keys: count it, as a lost event is */
	count_failure(L, r, DROPS_VALUE_MAP_FULL, loc);
}


struct ir_val lower_map_read(struct lower *L, const struct ast *m)
{
	const struct sema_map *sm = lower_map_info(L, m);
	if (sm->value.kind == TY_AGG) { /* summed over the CPUs: the aggregation knows how */
		const struct builtin *b = builtin_find(BUILTIN_CALL, agg_name(sm->value.agg));
		if (b && b->lower_read)
			return b->lower_read(L, m);
		lower_error(L, m->loc, "internal error: this aggregation cannot be read");
		return ir_imm(0);
	}
	/* The key (and whatever computing it took) is dead once the lookup
	 * returns: give its frame back now, not at the end of the statement,
	 * or an expression with many map reads runs out of stack. */
	uint32_t mark = L->f->frame_size;
	int key = lower_key(L, m);
	struct ir_block *hit = lower_block(L), *miss = lower_block(L), *join = lower_block(L);
	int p = lower_lookup(L, m, key, hit, miss);
	L->f->frame_size = mark;
	int d = ir_vreg_new(L->f);
	lower_place(L, hit);
	lower_mov(L, d, ir_reg(lower_load(L, p, 0, 8, false, m->loc)), m->loc);
	lower_jump(L, join, m->loc);
	lower_place(L, miss);
	lower_mov(L, d, ir_imm(0), m->loc);
	lower_jump(L, join, m->loc);
	lower_place(L, join);
	return ir_reg(d);
}

void lower_map_read_into(struct lower *L, const struct ast *m, const struct eq_type *to, int slot,
			 int32_t off)
{
	int key = lower_key(L, m);
	struct ir_block *hit = lower_block(L), *miss = lower_block(L), *join = lower_block(L);
	int p = lower_lookup(L, m, key, hit, miss);
	lower_place(L, hit);
	lower_copy_value(L, (struct mem_ref){p, -1, 0}, &lower_map_info(L, m)->value, slot, off, to, m->loc);
	lower_jump(L, join, m->loc);
	lower_place(L, miss);
	lower_zero(L, slot, off, ty_slot_size(to), m->loc);
	lower_jump(L, join, m->loc);
	lower_place(L, join);
}

/* What `@m[k] op= v` stores when @m[k] does not exist yet: 0 op v. */
static struct ir_val first_value(struct lower *L, enum ir_op op, struct ir_val v, eq_loc loc)
{
	switch (op) {
	case IR_ADD: case IR_OR: case IR_XOR:
		return v;
	case IR_SUB:
		if (v.kind == IRV_IMM)
			return ir_imm((int64_t)(0 - (uint64_t)v.imm));
		return ir_reg(lower_binop(L, IR_SUB, ir_imm(0), v, loc));
	default:
		return ir_imm(0);
	}
}

/* @m[k] op= v, @m[k]++: an atomic add where the operator allows it, since
 * these maps are shared by all CPUs. */
/* `old`, if not -1, gets the value before the update (0 for a new key). */
static void lower_map_update(struct lower *L, const struct ast *st, int old)
{
	const struct ast *m = st->a;
	bool inc = st->op == OP_PREINC || st->op == OP_POSTINC;
	enum ir_op op;
	if (st->kind == AST_INCDEC) {
		op = inc ? IR_ADD : IR_SUB;
	} else {
		static const enum ir_op ops[] = {
			[OP_ADD] = IR_ADD, [OP_SUB] = IR_SUB, [OP_MUL] = IR_MUL, [OP_DIV] = IR_SDIV,
			[OP_MOD] = IR_SMOD, [OP_BAND] = IR_AND, [OP_BOR] = IR_OR, [OP_BXOR] = IR_XOR,
			[OP_SHL] = IR_SHL, [OP_SHR] = IR_SAR,
		};
		op = ops[st->op];
		/* `@m[k] op= v` is `@m[k] = @m[k] op v`: a map value reads as
		 * signed, so the operation is signed only when v is too. */
		if (!st->b->type->is_signed)
			op = op == IR_SDIV ? IR_UDIV : op == IR_SMOD ? IR_UMOD : op == IR_SAR ? IR_SHR : op;
	}
	int key = lower_key(L, m);
	struct ir_val v = st->kind == AST_INCDEC ? ir_imm(1) : lower_int(L, st->b);
	if ((op == IR_SHL || op == IR_SHR || op == IR_SAR) && v.kind == IRV_IMM)
		v.imm &= 63; /* as in lower_int: BPF masks counts, the verifier rejects >= 64 */
	struct ir_block *hit = lower_block(L), *miss = lower_block(L), *join = lower_block(L);
	int p = lower_lookup(L, m, key, hit, miss);
	lower_place(L, hit);
	if (old >= 0)
		lower_mov(L, old, ir_reg(lower_load(L, p, 0, 8, false, st->loc)), st->loc);
	if (op == IR_ADD || op == IR_SUB) {
		struct ir_val delta = op == IR_ADD ? v : first_value(L, IR_SUB, v, st->loc);
		if (delta.kind == IRV_IMM) { /* the atomic add takes a register */
			struct ir_insn *c = lower_emit(L, IR_CONST, st->loc);
			c->dst = ir_vreg_new(L->f);
			c->imm = delta.imm;
			delta = ir_reg(c->dst);
		}
		struct ir_insn *in = lower_emit(L, IR_ATOMIC_ADD, st->loc);
		in->mem = (struct ir_addr){.base = p, .slot = -1, .off = 0};
		in->size = 8;
		in->a = delta;
	} else {
		struct ir_val r = lower_arith(L, op, ir_reg(lower_load(L, p, 0, 8, false, st->loc)), v, st->loc);
		lower_store_at(L, p, 0, 8, r, st->loc);
	}
	lower_jump(L, join, st->loc);
	lower_place(L, miss);
	if (old >= 0)
		lower_mov(L, old, ir_imm(0), st->loc);
	int val = lower_slot(L, 8);
	lower_store(L, val, 0, 8, first_value(L, op, v, st->loc), st->loc);
	lower_update(L, m->sema_id, key, val, st->loc);
	lower_jump(L, join, st->loc);
	lower_place(L, join);
}

int lower_map_update_value(struct lower *L, const struct ast *st)
{
	int old = ir_vreg_new(L->f);
	lower_map_update(L, st, old);
	return old;
}

void lower_map_assign(struct lower *L, const struct ast *st)
{
	const struct ast *m = st->a, *rhs = st->b;
	if (st->kind == AST_INCDEC || st->op != OP_NONE) {
		lower_map_update(L, st, -1);
		return;
	}
	const struct builtin *b = rhs->kind == AST_CALL ? builtin_find(BUILTIN_CALL, rhs->name) : NULL;
	if (b && b->lower_update) {
		b->lower_update(L, m, rhs);
		return;
	}
	int key = lower_key(L, m);
	const struct sema_map *sm = lower_map_info(L, m);
	int val = lower_slot(L, sm->value_size);
	lower_value_into(L, rhs, &sm->value, val, 0);
	lower_update(L, m->sema_id, key, val, st->loc);
}

void lower_delete_key(struct lower *L, const struct ast *m, eq_loc loc)
{
	int key = lower_key(L, m);
	int map = lower_map_addr(L, m->sema_id, loc);
	int kaddr = lower_frame_addr(L, key, 0, loc);
	lower_call(L, BPF_FUNC_map_delete_elem, loc, 2, ir_reg(map), ir_reg(kaddr));
}

void lower_call_stmt(struct lower *L, const struct ast *call)
{
	const struct builtin *b = builtin_find(BUILTIN_CALL, call->name);
	if (b && b->lower_stmt)
		b->lower_stmt(L, call);
	else if (b && b->lower_int)
		lower_int(L, call); /* a value nobody reads: the call may still have effects */
	else if (!b || !b->lower_into)
		lower_error(L, call->loc, "internal error: this function cannot be a statement");
}

/* ---- the setup of watchpoints on a function's arguments ------------------------ */

/* The record is [output index][the process's tgid][an address for each
 * watchpoint].  One program for all the watchpoints on one function stops
 * the process once, and ebpfq continues it once they are all set: a
 * program each would let the first SIGCONT release the process before the
 * second watchpoint is set.  The stop comes before the event, so that
 * ebpfq's SIGCONT can never come first. */
struct ir_func *lower_watch_setup(struct lower_env *env, const struct attach_point *const *watches,
				  const uint32_t *progs, int n, const char *name)
{
	eq_loc loc = watches[0]->loc;
	struct lower L;
	lower_begin(&L, env, watches[0]->setup, name, loc);
	lower_pid_filter(&L, loc);
	bool stop = false;
	for (int i = 0; i < n; i++)
		stop |= !watches[i]->watch.async;
	if (stop)
		lower_call(&L, BPF_FUNC_send_signal, loc, 1, ir_imm(SIGSTOP));
	uint32_t size = 16 + 8 * (uint32_t)n;
	struct eq_output o = {.kind = EQ_OUT_WATCH, .record_size = size, .nprogs = n, .stopped = stop,
			      .line = (uint32_t)loc.line, .col = (uint32_t)loc.col};
	o.progs = ARENA_ARRAY(env->img_arena, uint32_t, n);
	memcpy(o.progs, progs, sizeof(*progs) * (size_t)n);
	int id = add_output(&L, o);
	int slot = lower_slot(&L, size);
	store_header(&L, slot, id, loc);
	int v = lower_call(&L, BPF_FUNC_get_current_pid_tgid, loc, 0);
	lower_store(&L, slot, 8, 8, ir_reg(lower_binop(&L, IR_SHR, ir_reg(v), ir_imm(32), loc)), loc);
	for (int i = 0; i < n; i++)
		lower_store(&L, slot, 16 + 8 * i, 8, lower_probe_arg(&L, watches[i]->setup_arg, loc), loc);
	int r = send_record(&L, slot, size, loc);
	if (stop) { /* ebpfq will not hear of it: undo the stop */
		struct ir_block *lost = lower_block(&L);
		lower_branch(&L, IRC_EQ, ir_reg(r), ir_imm(0), L.exit, lost, loc);
		lower_place(&L, lost);
		lower_call(&L, BPF_FUNC_send_signal, loc, 1, ir_imm(SIGCONT));
	}
	return lower_end(&L, loc);
}
