/* lower_memory.c - AST to IR for memory read through C types: p->field,
 * s.field, p[i], *p, &x, and pointer arithmetic.
 *
 * Memory reached through a pointer is not the program's own: every read is
 * a bpf_probe_read_kernel or bpf_probe_read_user, as the pointer's address
 * space says, into the program's stack.  A read that faults leaves zeros
 * (the helper zeroes its destination), so a bad pointer reads as 0 and is
 * never a program the verifier refuses.  A member of a struct the program
 * holds itself (in a variable, a map value, a copy) is read in place.
 *
 * In an --aot object, the offset of a kernel struct's member is a CO-RE
 * relocation (a FIELDADD): the loader moves it to where the running
 * kernel has the member, so that an object runs on kernels whose structs
 * differ from the compiling one's.  A place remembers how its offset was
 * reached from the kernel struct it starts in, as the access path the
 * relocation names.  A bit-field is read as BPF CO-RE has it: its unit
 * (FIELDADD to it, FIELDSIZE bytes) as a u64, shifted up (FIELDSHL) and
 * down (FIELDSHR or FIELDSAR), each number relocated.
 */
#define LOWER_INTERNAL
#include "lower.h"

#include <string.h>

/* The longest CO-RE access path relocated (the kernel takes 64). */
enum { CORE_PATH_MAX = 16 };

/* Where the bytes of a memory expression are. */
struct place {
	bool foreign;         /* behind a pointer: addr + off, in `space` */
	int addr;             /* foreign: the vreg holding the base address */
	int32_t off;
	enum ty_space space;
	struct mem_ref local; /* else: the program's own memory */
	/* foreign, --aot: `off` is this access into the kernel struct
	 * core_root (its BTF id; 0: not relocated), as ir_core_access says */
	uint32_t core_root;
	uint32_t core_path[CORE_PATH_MAX];
	int core_len;
};

/* Accesses start at a kernel struct a pointer points to: at its element
 * `index` (0 for p->f and *p). */
static void core_start(struct lower *L, struct place *p, const struct eq_type *pointee, int64_t index)
{
	bool relocated = L->env->aot && pointee && pointee->kind == TY_RECORD && pointee->btf_id && index >= 0 &&
			 index <= INT32_MAX;
	p->core_root = relocated ? pointee->btf_id : 0;
	p->core_path[0] = (uint32_t)index;
	p->core_len = 1;
}

/* ... then go on to its member `name` of record rec, or to element `index`
 * of an array. */
static void core_member(struct place *p, const struct eq_type *rec, const char *name)
{
	int n = p->core_root ? ty_field_path(rec, name, p->core_path + p->core_len,
					     CORE_PATH_MAX - p->core_len) : 0;
	p->core_root = n ? p->core_root : 0;
	p->core_len += n;
}

static void core_index(struct place *p, int64_t index)
{
	if (p->core_len == CORE_PATH_MAX || index < 0 || index > INT32_MAX)
		p->core_root = 0;
	else
		p->core_path[p->core_len++] = (uint32_t)index;
}

/* "0:5:2" */
static const char *core_path_text(struct lower *L, const struct place *p)
{
	char text[CORE_PATH_MAX * 11];
	size_t n = 0;
	for (int i = 0; i < p->core_len; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%u", i ? ":" : "", p->core_path[i]);
	return arena_strdup(L->arena, text);
}

/* args->FIELD of an array (TPF_ARRAY): in the tracepoint's record */
static bool is_args_array(const struct ast *e)
{
	return e->kind == AST_FIELD && !e->field && e->a->kind == AST_BUILTIN &&
	       !strcmp(e->a->name, "args") && e->type->kind == TY_ARRAY;
}

bool lower_is_memory(const struct ast *e)
{
	return (e->kind == AST_FIELD && e->field) || e->kind == AST_INDEX ||
	       (e->kind == AST_UNARY && e->op == OP_DEREF) || is_args_array(e);
}

static int read_helper(enum ty_space space)
{
	return space == SPACE_USER ? BPF_FUNC_probe_read_user : BPF_FUNC_probe_read_kernel;
}

/* The place's access, as an index into the function's core accesses. */
static int core_access(struct lower *L, const struct place *p)
{
	struct ir_core_access access = {p->core_root, core_path_text(L, p)};
	ARENA_PUSH(L->arena, L->f->core, access);
	return L->f->core.count - 1;
}

/* A FIELD* op on a (an immediate for FIELDSIZE) and the compiling
 * kernel's `value`, relocated as access (core_access) says. */
static int core_op(struct lower *L, enum ir_op op, struct ir_val a, int32_t value, int access, eq_loc loc)
{
	struct ir_insn *in = lower_emit(L, op, loc);
	in->dst = ir_vreg_new(L->f);
	in->a = op == IR_FIELDSIZE ? ir_imm(value) : a;
	in->b = op == IR_FIELDSIZE ? ir_none() : ir_imm(value);
	in->imm = access;
	return in->dst;
}

/* addr + off as one address in a register; the offset relocated where
 * it is a kernel struct's member's. */
static int place_address(struct lower *L, const struct place *p, eq_loc loc)
{
	if (p->core_root)
		return core_op(L, IR_FIELDADD, ir_reg(p->addr), p->off, core_access(L, p), loc);
	return p->off ? lower_binop(L, IR_ADD, ir_reg(p->addr), ir_imm(p->off), loc) : p->addr;
}

static bool place_of(struct lower *L, const struct ast *e, struct place *p);

/* p[i] and a[i]: the element's place. */
static bool index_place(struct lower *L, const struct ast *e, struct place *p)
{
	const struct eq_type *base = e->a->type;
	uint32_t size = e->type->size;
	if (base->kind == TY_PTR) {
		*p = (struct place){.foreign = true, .addr = -1, .space = base->space};
		struct ir_val ptr = lower_int(L, e->a), i = lower_int(L, e->b);
		if (i.kind == IRV_IMM) {
			p->addr = lower_binop(L, IR_ADD, ptr, ir_imm(0), e->loc);
			p->off = (int32_t)(i.imm * size);
			core_start(L, p, base->elem, i.imm);
		} else {
			struct ir_val scaled = lower_arith(L, IR_MUL, i, ir_imm(size), e->loc);
			p->addr = lower_binop(L, IR_ADD, ptr, scaled, e->loc);
			core_start(L, p, base->elem, 0);
		}
		return true;
	}
	if (!place_of(L, e->a, p))
		return false;
	struct ir_val i = lower_int(L, e->b);
	if (i.kind == IRV_IMM) {
		if (p->foreign)
			p->off += (int32_t)(i.imm * size);
		else
			p->local.off += (int32_t)(i.imm * size);
		core_index(p, i.imm);
		return true;
	}
	if (!p->foreign) {
		lower_error(L, e->b->loc, "an array the program holds itself is indexed by constants "
			    "only; index it where it is read from (p->array[i])");
		return false;
	}
	struct ir_val scaled = lower_arith(L, IR_MUL, i, ir_imm(size), e->loc);
	p->addr = lower_binop(L, IR_ADD, ir_reg(place_address(L, p, e->loc)), scaled, e->loc);
	p->off = 0;
	core_start(L, p, e->type, 0);
	return true;
}

/* The place of p->f, s.f, p[i], a[i], *p; false (after an error) if e is
 * not memory. */
static bool place_of(struct lower *L, const struct ast *e, struct place *p)
{
	if (is_args_array(e)) { /* read with a helper from the context: the record is the kernel's */
		const struct tp_field *f = probe_find_field(L->ap, e->name);
		*p = (struct place){.foreign = true, .off = (int32_t)f->offset, .space = SPACE_KERNEL};
		p->addr = lower_binop(L, IR_ADD, ir_reg(L->ctx), ir_imm(0), e->loc);
		return true;
	}
	if (e->kind == AST_FIELD && e->field && e->op == OP_ARROW) {
		*p = (struct place){.foreign = true, .addr = -1, .off = (int32_t)e->field->offset,
				    .space = e->a->type->space};
		struct ir_val ptr = lower_int(L, e->a);
		p->addr = ptr.kind == IRV_REG ? ptr.reg : lower_binop(L, IR_ADD, ptr, ir_imm(0), e->loc);
		core_start(L, p, e->a->type->elem, 0);
		core_member(p, e->a->type->elem, e->name);
		return true;
	}
	if (e->kind == AST_FIELD && e->field) { /* s.f: in s's place */
		if (!place_of(L, e->a, p))
			return false;
		if (p->foreign)
			p->off += (int32_t)e->field->offset;
		else
			p->local.off += (int32_t)e->field->offset;
		core_member(p, e->a->type, e->name);
		return true;
	}
	if (e->kind == AST_INDEX)
		return index_place(L, e, p);
	if (e->kind == AST_UNARY && e->op == OP_DEREF) {
		*p = (struct place){.foreign = true, .space = e->a->type->space};
		struct ir_val ptr = lower_int(L, e->a);
		p->addr = ptr.kind == IRV_REG ? ptr.reg : lower_binop(L, IR_ADD, ptr, ir_imm(0), e->loc);
		core_start(L, p, e->a->type->elem, 0);
		return true;
	}
	if (ty_in_memory(e->type)) { /* a struct the program holds: a variable, a map value */
		const struct eq_type *t;
		*p = (struct place){.foreign = false};
		p->local = lower_value_ref(L, e, &t);
		return true;
	}
	lower_error(L, e->loc, "internal error: this expression is not memory");
	return false;
}

/* Copy n bytes of the program's own memory in pieces as wide as the two
 * offsets' alignment allows (the verifier refuses misaligned stack access). */
static void copy_local(struct lower *L, struct mem_ref src, uint32_t n, int slot, int32_t off,
		       eq_loc loc)
{
	for (uint32_t i = 0; i < n;) {
		uint32_t w = 8;
		while (w > 1 && (((uint32_t)(src.off + (int32_t)i) | (uint32_t)(off + (int32_t)i)) % w ||
				 i + w > n))
			w /= 2;
		int v = src.base >= 0 ? lower_load(L, src.base, src.off + (int32_t)i, (uint8_t)w, false, loc)
				      : lower_load_slot(L, src.slot, src.off + (int32_t)i, (uint8_t)w, loc);
		lower_store(L, slot, off + (int32_t)i, (uint8_t)w, ir_reg(v), loc);
		i += w;
	}
}

/* `size` bytes at a place into slot+off.  The helpers write every byte
 * they are given, zeros where the read faults, so only bytes beyond `size`
 * need zeroing by the caller. */
static void read_bytes(struct lower *L, const struct place *p, uint32_t size, int slot, int32_t off,
		       eq_loc loc)
{
	if (!p->foreign) {
		copy_local(L, p->local, size, slot, off, loc);
		return;
	}
	int dst = lower_frame_addr(L, slot, off, loc);
	lower_call(L, read_helper(p->space), loc, 3, ir_reg(dst), ir_imm(size),
		   ir_reg(place_address(L, p, loc)));
}

/* `size` bytes (1 to 8) at a place: read into a temporary and loaded at
 * their own width, which zero-extends, or sign-extends if is_signed (one
 * instruction where a shift pair would be two); nothing needs zeroing first
 * unless the width is not one a load has (a bit-field's 3 bytes). */
static int read_word(struct lower *L, const struct place *p, uint32_t size, bool is_signed, eq_loc loc)
{
	int slot = lower_slot(L, 8);
	bool whole = size == 1 || size == 2 || size == 4 || size == 8;
	if (!whole)
		lower_zero(L, slot, 0, 8, loc);
	read_bytes(L, p, size, slot, 0, loc);
	return lower_load_slot_as(L, slot, 0, whole ? (uint8_t)size : 8, whole && is_signed, loc);
}

/* Cut a value read from `bits` bits to its type: sign- or zero-extend. */
static struct ir_val extend(struct lower *L, int v, uint32_t bits, bool is_signed, eq_loc loc)
{
	if (bits >= 64)
		return ir_reg(v);
	if (is_signed) {
		int up = lower_binop(L, IR_SHL, ir_reg(v), ir_imm(64 - bits), loc);
		return ir_reg(lower_binop(L, IR_SAR, ir_reg(up), ir_imm(64 - bits), loc));
	}
	return ir_reg(lower_binop(L, IR_AND, ir_reg(v), ir_imm((int64_t)((1ull << bits) - 1)), loc));
}

/* A kernel struct's bit-field, relocated: the unit of `size` bytes (its
 * type's, doubled until it holds the bits) that holds it, read into a u64,
 * then shifted up to drop the bits above the field and down to drop those
 * below, as the kernel's bpf_core_calc_field_relo computes the four numbers
 * (little endian: on a big-endian machine the shifts differ, and the field
 * is not relocated).  False if the field needs more than 8 bytes. */
static bool core_bitfield(struct lower *L, struct place *p, const struct ty_field *f, uint32_t size,
			  bool is_signed, eq_loc loc, int *out)
{
	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || !size)
		return false;
	/* the field's first bit from the start of the access's element */
	uint32_t bit_off = (uint32_t)(p->off - (int32_t)f->offset) * 8 + f->bit_offset, bits = f->bit_size;
	uint32_t unit = size, unit_off = bit_off / 8 / unit * unit;
	while (bit_off + bits - unit_off * 8 > unit * 8) {
		if (unit >= 8)
			return false;
		unit *= 2;
		unit_off = bit_off / 8 / unit * unit;
	}
	int access = core_access(L, p); /* the four numbers are of one member */
	int slot = lower_slot(L, 8);
	lower_zero(L, slot, 0, 8, loc);
	int dst = lower_frame_addr(L, slot, 0, loc);
	int bytes = core_op(L, IR_FIELDSIZE, ir_none(), (int32_t)unit, access, loc);
	int addr = core_op(L, IR_FIELDADD, ir_reg(p->addr), (int32_t)unit_off, access, loc);
	lower_call(L, read_helper(p->space), loc, 3, ir_reg(dst), ir_reg(bytes), ir_reg(addr));
	int v = lower_load_slot_as(L, slot, 0, 8, false, loc);
	v = core_op(L, IR_FIELDSHL, ir_reg(v), (int32_t)(64 - (bit_off + bits - unit_off * 8)), access, loc);
	*out = core_op(L, is_signed ? IR_FIELDSAR : IR_FIELDSHR, ir_reg(v), (int32_t)(64 - bits), access, loc);
	return true;
}

/* An integer or pointer in memory: the value, extended to 64 bits.  A
 * bit-field is read as the bytes that hold it (behind a pointer) or its
 * type's aligned unit (in place), then shifted and cut. */
struct ir_val lower_memory_int(struct lower *L, const struct ast *e)
{
	struct place p;
	if (!place_of(L, e, &p))
		return ir_imm(0);
	const struct ty_field *f = e->kind == AST_FIELD ? e->field : NULL;
	uint32_t size = e->type->size > 8 ? 8 : e->type->size;
	uint32_t shift = 0, bits = size * 8;
	bool is_signed = e->type->kind == TY_INT && e->type->is_signed;
	int v;
	if (f && f->bit_size && p.foreign && p.core_root && core_bitfield(L, &p, f, size, is_signed, e->loc, &v))
		return ir_reg(v);
	if (f && f->bit_size && p.foreign) {
		p.core_root = 0; /* the unit is one BPF CO-RE would not load */
		shift = f->bit_offset % 8;
		bits = f->bit_size;
		v = read_word(L, &p, (shift + bits + 7) / 8, false, e->loc);
	} else if (f && f->bit_size) {
		uint32_t unit = size * 8, unit_start = f->bit_offset / unit * unit;
		shift = f->bit_offset - unit_start;
		bits = f->bit_size;
		struct mem_ref at = p.local;
		at.off += (int32_t)(unit_start / 8) - (int32_t)f->offset;
		v = at.base >= 0 ? lower_load(L, at.base, at.off, (uint8_t)size, false, e->loc)
				 : lower_load_slot(L, at.slot, at.off, (uint8_t)size, e->loc);
	} else if (p.foreign) {
		v = read_word(L, &p, size, is_signed, e->loc);
	} else {
		v = p.local.base >= 0 ? lower_load(L, p.local.base, p.local.off, (uint8_t)size, is_signed, e->loc)
				      : lower_load_slot_as(L, p.local.slot, p.local.off, (uint8_t)size, is_signed,
							   e->loc);
	}
	if (shift)
		v = lower_binop(L, IR_SHR, ir_reg(v), ir_imm(shift), e->loc);
	if (!shift && bits == size * 8)
		return ir_reg(v); /* zero- or sign-extended by the load */
	return extend(L, v, bits, is_signed, e->loc);
}

bool lower_reads_int_in_place(const struct ast *e)
{
	uint32_t size = e->type->size;
	bool behind_pointer = (e->kind == AST_FIELD && e->field && e->op == OP_ARROW) ||
			      (e->kind == AST_UNARY && e->op == OP_DEREF) ||
			      (e->kind == AST_INDEX && e->a->type->kind == TY_PTR);
	return behind_pointer && e->type->kind == TY_INT && !(e->kind == AST_FIELD && e->field->bit_size) &&
	       (size == 1 || size == 2 || size == 4 || size == 8);
}

void lower_int_read_into(struct lower *L, const struct ast *e, int slot, int32_t off)
{
	struct place p;
	if (!place_of(L, e, &p))
		return;
	if (e->type->size < 8) /* the word's other bytes: what a record sends must be written */
		lower_zero(L, slot, off, 8, e->loc);
	read_bytes(L, &p, e->type->size, slot, off, e->loc);
}

void lower_memory_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	struct place p;
	if (!place_of(L, e, &p))
		return;
	uint32_t n = e->type->size < size ? e->type->size : size;
	uint32_t covered = n & ~7u; /* whole words the read writes */
	lower_zero(L, slot, off + (int32_t)covered, size - covered, e->loc);
	read_bytes(L, &p, n, slot, off, e->loc);
}

/* A character array read as a string: at most its length, and a NUL
 * within the buffer whatever the memory holds. */
void lower_memory_chars(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size)
{
	struct place p;
	if (!place_of(L, e, &p))
		return;
	uint32_t n = e->type->size + 1 < size ? e->type->size + 1 : size;
	lower_zero(L, slot, off, size, e->loc);
	if (!p.foreign) {
		copy_local(L, p.local, n - 1, slot, off, e->loc);
		return;
	}
	int helper = p.space == SPACE_USER ? BPF_FUNC_probe_read_user_str : BPF_FUNC_probe_read_kernel_str;
	int dst = lower_frame_addr(L, slot, off, e->loc);
	lower_call(L, helper, e->loc, 3, ir_reg(dst), ir_imm(n), ir_reg(place_address(L, &p, e->loc)));
}

/* &x: the address of memory read through a pointer. */
struct ir_val lower_address_of(struct lower *L, const struct ast *e)
{
	struct place p;
	if (!place_of(L, e->a, &p) || !p.foreign)
		return ir_imm(0);
	return ir_reg(place_address(L, &p, e->loc));
}

/* p + i, i + p, p - i: i elements; p - q: how many elements apart. */
struct ir_val lower_pointer_arith(struct lower *L, const struct ast *e)
{
	const struct eq_type *l = e->a->type, *r = e->b->type;
	struct ir_val a = lower_int(L, e->a), b = lower_int(L, e->b);
	if (l->kind == TY_PTR && r->kind == TY_PTR) { /* p - q */
		struct ir_val diff = lower_arith(L, IR_SUB, a, b, e->loc);
		uint32_t size = l->elem->size ? l->elem->size : 1;
		return size == 1 ? diff : lower_arith(L, IR_SDIV, diff, ir_imm(size), e->loc);
	}
	const struct eq_type *p = l->kind == TY_PTR ? l : r;
	uint32_t size = p->elem->kind == TY_VOID || !p->elem->size ? 1 : p->elem->size;
	if (l->kind == TY_PTR)
		b = lower_arith(L, IR_MUL, b, ir_imm(size), e->loc);
	else
		a = lower_arith(L, IR_MUL, a, ir_imm(size), e->loc);
	return lower_arith(L, e->op == OP_SUB ? IR_SUB : IR_ADD, a, b, e->loc);
}
