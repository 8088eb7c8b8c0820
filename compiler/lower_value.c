/* lower_value.c - AST to IR for values held in memory: strings and tuples.
 *
 * A string or tuple lives in a frame slot (a variable's, or a temporary),
 * laid out as compiler/types.h says: elements 8-aligned, strings
 * zero-padded to whole 8-byte words, so copying and comparing go word by
 * word.  A value moves into a place of another layout (a shorter string
 * into a longer one, a tuple into a map whose tuples have longer strings)
 * element by element, padded with zeros.
 */
#define LOWER_INTERNAL
#include "lower.h"

#include <string.h>

#include "builtins/builtins.h"

/* ---- strings ----------------------------------------------------------------- */

static int temp_slot(struct lower *L, uint32_t size)
{
	return lower_slot(L, size);
}

static uint32_t round8(uint32_t n)
{
	return (n + 7) & ~7u;
}

/* Store constant text, zero-padded to round8(size), at slot+off: 8 bytes
 * per store where the chunk fits a sign-extended 32-bit immediate, else two
 * 4-byte stores. */
static void store_const_bytes(struct lower *L, const char *text, int len, int slot, int32_t off,
			      uint32_t size, eq_loc loc)
{
	for (uint32_t i = 0; i < round8(size); i += 8) {
		unsigned char chunk[8] = {0};
		for (uint32_t j = 0; j < 8; j++)
			chunk[j] = (int)(i + j) < len ? (unsigned char)text[i + j] : 0;
		int64_t v;
		memcpy(&v, chunk, 8);
		if (v >= INT32_MIN && v <= INT32_MAX) {
			lower_store(L, slot, off + (int32_t)i, 8, ir_imm(v), loc);
			continue;
		}
		for (uint32_t j = 0; j < 8; j += 4) {
			int32_t w;
			memcpy(&w, chunk + j, 4);
			lower_store(L, slot, off + (int32_t)(i + j), 4, ir_imm(w), loc);
		}
	}
}

/* The type a value really has in memory: a variable's or a map's final
 * type (sema widens them as it meets longer strings), else the
 * expression's own. */
const struct eq_type *lower_type_of(const struct lower *L, const struct ast *e)
{
	if (e->kind == AST_VAR)
		return &L->env->info->vars.items[e->sema_id].type;
	if (e->kind == AST_MAP && lower_map_info(L, e)->value.kind != TY_AGG)
		return &lower_map_info(L, e)->value;
	return e->type;
}

static int load_word(struct lower *L, struct mem_ref src, int32_t at, eq_loc loc)
{
	if (src.base >= 0)
		return lower_load(L, src.base, src.off + at, 8, false, loc);
	return lower_load_slot(L, src.slot, src.off + at, 8, loc);
}

void lower_copy_value(struct lower *L, struct mem_ref src, const struct eq_type *from, int dst,
		      int32_t doff, const struct eq_type *to, eq_loc loc)
{
	if (to->kind == TY_TUPLE) {
		for (int i = 0; i < to->nfields && i < from->nfields; i++) {
			struct mem_ref elem = src;
			elem.off += (int32_t)from->fields[i].offset;
			lower_copy_value(L, elem, from->fields[i].type, dst,
					 doff + (int32_t)to->fields[i].offset, to->fields[i].type, loc);
		}
		return;
	}
	/* a string word by word (padding included), then zeros; an integer
	 * is one word */
	uint32_t d = ty_slot_size(to), have = ty_slot_size(from), i;
	for (i = 0; i < d && i < have; i += 8)
		lower_store(L, dst, doff + (int32_t)i, 8, ir_reg(load_word(L, src, (int32_t)i, loc)), loc);
	for (; i < d; i += 8)
		lower_store(L, dst, doff + (int32_t)i, 8, ir_imm(0), loc);
}

void lower_mem_eq(struct lower *L, const struct ast *e, struct ir_block *t, struct ir_block *f)
{
	const struct eq_type *ta, *tb;
	struct mem_ref a = lower_value_ref(L, e->a, &ta), b = lower_value_ref(L, e->b, &tb);
	struct ir_block *yes = e->op == OP_EQ ? t : f, *no = e->op == OP_EQ ? f : t;
	uint32_t n = ty_slot_size(ta) < ty_slot_size(tb) ? ty_slot_size(ta) : ty_slot_size(tb);
	for (uint32_t i = 0; i < n; i += 8) {
		int va = load_word(L, a, (int32_t)i, e->loc), vb = load_word(L, b, (int32_t)i, e->loc);
		struct ir_block *next = lower_block(L);
		lower_branch(L, IRC_NE, ir_reg(va), ir_reg(vb), no, next, e->loc);
		lower_place(L, next);
	}
	lower_jump(L, yes, e->loc);
}

/* Where a tuple-valued (or any in-memory) expression's value is, and its
 * layout: a variable in place, an element of a tuple at its offset,
 * anything else computed into a temporary. */
struct mem_ref lower_value_ref(struct lower *L, const struct ast *e, const struct eq_type **type)
{
	if (e->kind == AST_VAR) {
		*type = lower_type_of(L, e);
		return (struct mem_ref){-1, L->var_slot[e->sema_id], 0};
	}
	if (e->kind == AST_FIELD && e->a->type->kind == TY_TUPLE) {
		const struct eq_type *tuple;
		struct mem_ref r = lower_value_ref(L, e->a, &tuple);
		r.off += (int32_t)tuple->fields[e->ival].offset;
		*type = tuple->fields[e->ival].type;
		return r;
	}
	*type = e->type;
	int slot = temp_slot(L, ty_slot_size(e->type));
	lower_value_into(L, e, e->type, slot, 0);
	return (struct mem_ref){-1, slot, 0};
}

/* The two sides of `c ? a : b` into the same place. */
static void ternary_into(struct lower *L, const struct ast *e, const struct eq_type *to, int slot,
			 int32_t off)
{
	struct ir_block *t = lower_block(L), *f = lower_block(L), *join = lower_block(L);
	lower_cond(L, e->a, t, f);
	lower_place(L, t);
	lower_value_into(L, e->b, to, slot, off);
	lower_jump(L, join, e->loc);
	lower_place(L, f);
	lower_value_into(L, e->c, to, slot, off);
	/* explicit: when the condition is a constant, the false side is not
	 * laid out just before join, and fell off the program's end */
	lower_jump(L, join, e->loc);
	lower_place(L, join);
}

void lower_value_into(struct lower *L, const struct ast *e, const struct eq_type *to, int slot,
		      int32_t off)
{
	if (to->kind == TY_STR) {
		lower_str_into(L, e, slot, off, to->size);
	} else if (e->kind == AST_BUILTIN && to->kind == TY_RECORD) { /* args: field by field */
		for (int i = 0; i < to->nfields; i++) {
			struct ast field = {.kind = AST_FIELD, .loc = e->loc, .a = (struct ast *)e,
					    .name = to->fields[i].name, .type = to->fields[i].type};
			lower_value_into(L, &field, field.type, slot, off + (int32_t)to->fields[i].offset);
		}
	} else if ((to->kind == TY_RECORD || to->kind == TY_ARRAY) && lower_is_memory(e)) {
		lower_memory_into(L, e, slot, off, ty_slot_size(to));
	} else if (to->kind != TY_TUPLE && !ty_in_memory(to)) {
		lower_store(L, slot, off, 8, lower_int(L, e), e->loc);
	} else if (e->kind == AST_TUPLE) {
		for (int i = 0; i < e->list.count && i < to->nfields; i++)
			lower_value_into(L, e->list.items[i], to->fields[i].type, slot,
					 off + (int32_t)to->fields[i].offset);
	} else if (e->kind == AST_MAP) {
		lower_map_read_into(L, e, to, slot, off);
	} else if (e->kind == AST_TERNARY) {
		ternary_into(L, e, to, slot, off);
	} else {
		const struct eq_type *from;
		struct mem_ref src = lower_value_ref(L, e, &from);
		lower_copy_value(L, src, from, slot, off, to, e->loc);
	}
}

void lower_zero(struct lower *L, int slot, int32_t off, uint32_t size, eq_loc loc)
{
	for (uint32_t i = 0; i < round8(size); i += 8)
		lower_store(L, slot, off + (int32_t)i, 8, ir_imm(0), loc);
}

/* A string read by a helper into a zeroed buffer (the read stops at the NUL,
 * so zeroing first keeps the buffer zero-padded). */
void lower_read_str(struct lower *L, int helper, struct ir_val src, int slot, int32_t off,
		    uint32_t size, eq_loc loc)
{
	lower_zero(L, slot, off, size, loc);
	int dst = lower_frame_addr(L, slot, off, loc);
	lower_call(L, helper, loc, 3, ir_reg(dst), ir_imm(size), src);
}

/* args->FIELD of a string kind: char[N] in the record, or __data_loc. */
static void args_str_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	const struct tp_field *f = probe_find_field(L->ap, e->name);
	struct ir_val where;
	if (f->kind == TPF_CHARS) {
		where = ir_reg(lower_binop(L, IR_ADD, ir_reg(L->ctx), ir_imm(f->offset), e->loc));
		if (f->size < size)
			size = f->size;
	} else {
		struct ir_insn *in = lower_emit(L, IR_LOAD, e->loc);
		in->dst = ir_vreg_new(L->f);
		in->mem = (struct ir_addr){.base = L->ctx, .slot = -1, .off = (int32_t)f->offset};
		in->size = 4;
		int rel = lower_binop(L, IR_AND, ir_reg(in->dst), ir_imm(0xffff), e->loc);
		where = ir_reg(lower_binop(L, IR_ADD, ir_reg(L->ctx), ir_reg(rel), e->loc));
	}
	lower_read_str(L, BPF_FUNC_probe_read_kernel_str, where, slot, off, size, e->loc);
}

const char *lower_const_text(const struct lower *L, const struct ast *e)
{
	if (e->kind == AST_STR)
		return e->str;
	const struct builtin *b = lower_builtin_of(e);
	return b && b->const_text ? b->const_text(L, e) : NULL;
}

static const char *const_text(const struct lower *L, const struct ast *e, int *len)
{
	const char *text = lower_const_text(L, e);
	if (text)
		*len = e->kind == AST_STR ? e->str_len : (int)strlen(text);
	return text;
}

void lower_str_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	int len;
	const char *text = const_text(L, e, &len);
	if (text) {
		if ((uint32_t)len >= size)
			len = (int)size - 1; /* a probe name longer than --strlen is cut */
		store_const_bytes(L, text, len, slot, off, size, e->loc);
		return;
	}
	const struct builtin *b = lower_builtin_of(e);
	if (b && b->lower_into) {
		b->lower_into(L, e, slot, off, size);
		return;
	}
	const struct eq_type *to = ty_str(L->arena, size);
	if (e->kind == AST_FIELD && e->a->kind == AST_BUILTIN && !strcmp(e->a->name, "args"))
		args_str_into(L, e, slot, off, size);
	else if (lower_is_memory(e) && ty_is_chars(e->type))
		lower_memory_chars(L, e, slot, off, size);
	else if (lower_is_memory(e) && e->type->kind == TY_STR) /* a string member of $a = args */
		lower_memory_into(L, e, slot, off, size);
	else if (e->kind == AST_MAP)
		lower_map_read_into(L, e, to, slot, off);
	else if (e->kind == AST_TERNARY)
		ternary_into(L, e, to, slot, off);
	else if (e->kind == AST_VAR || e->kind == AST_FIELD) {
		const struct eq_type *from;
		struct mem_ref src = lower_value_ref(L, e, &from);
		lower_copy_value(L, src, from, slot, off, to, e->loc);
	} else
		lower_error(L, e->loc, "this string expression is not supported yet");
}

struct str_loc lower_str(struct lower *L, const struct ast *e)
{
	struct str_loc s = {.slot = -1};
	s.text = const_text(L, e, &s.len);
	if (s.text) {
		s.size = (uint32_t)s.len + 1;
		return s;
	}
	if (e->kind == AST_VAR) {
		s.slot = L->var_slot[e->sema_id];
		s.size = lower_type_of(L, e)->size;
		return s;
	}
	s.size = e->type->size + (e->type->kind == TY_ARRAY); /* a char array's NUL */
	s.slot = temp_slot(L, s.size);
	lower_str_into(L, e, s.slot, 0, s.size);
	return s;
}

