/* sema_memory.c - the types of expressions that read memory through C types:
 * casts, `p->field`, `s.field`, `p[i]`, `*p`, `&x`, and pointer arithmetic
 * and comparison.
 *
 * A pointer knows the address space it points into.  Where a number
 * becomes a pointer (`(struct foo *)arg0`), the space is the number's if it
 * has one (a uprobe's arguments are the traced process's addresses), else
 * the probe's: user memory for user probes and system calls' arguments,
 * kernel memory for the rest.  kptr() and uptr() say otherwise.
 */
#define SEMA_INTERNAL
#include <stdlib.h>
#include <string.h>

#include "ctypes.h"
#include "sema.h"

/* What an address in this probe most likely points into. */
enum ty_space sema_default_space(struct sema *s)
{
	const struct attach_list *points = &s->info->points[s->probe_index];
	if (!points->count)
		return SPACE_KERNEL;
	const struct attach_point *ap = &points->items[0];
	if (ap->user || ap->ctx == CTX_SYSCALL_ENTER || ap->ctx == CTX_SYSCALL_EXIT)
		return SPACE_USER;
	return SPACE_KERNEL;
}

/* A type node resolved once (sema walks the program twice): for user
 * memory in user probes, else for kernel memory (see ctypes.c). */
const struct eq_type *sema_type_of_node(struct sema *s, struct ast *type)
{
	if (!type->type) {
		bool user = sema_default_space(s) == SPACE_USER;
		const struct eq_type *t = ctypes_resolve_for(s->info->ctypes, type, user);
		type->type = t ? t : &ty_none;
	}
	return type->type;
}

static bool is_scalar(const struct eq_type *t)
{
	return t->kind == TY_INT || t->kind == TY_PTR;
}

const struct eq_type *sema_cast(struct sema *s, struct ast *e)
{
	const struct eq_type *from = sema_expr(s, e->a), *to = sema_type_of_node(s, e->b);
	if (to->kind == TY_NONE || from->kind == TY_NONE)
		return &ty_none;
	if (!is_scalar(to)) {
		sema_error(s, e->b->loc, "a value cannot be cast to %s: cast an address to a pointer, "
			   "as in (%s *)", sema_type_name(s, to), ty_c_name(s->arena, to));
		return &ty_none;
	}
	if (!is_scalar(from)) {
		sema_error(s, e->a->loc, "only integers and pointers can be cast, not %s",
			   sema_type_name(s, from));
		return &ty_none;
	}
	struct eq_type t = *to;
	/* where the address points: the operand's, else the probe's */
	t.space = from->space != SPACE_NONE ? from->space
		: to->kind == TY_PTR ? sema_default_space(s) : SPACE_NONE;
	return ty_new(s->arena, t);
}

/* The record a `.` or `->` applies to, or NULL after an error. */
static const struct eq_type *record_of(struct sema *s, struct ast *e, const struct eq_type *t)
{
	bool arrow = e->op == OP_ARROW;
	if (arrow && t->kind == TY_PTR && t->elem->kind == TY_RECORD)
		t = t->elem;
	else if (arrow || t->kind != TY_RECORD) {
		if (arrow)
			sema_error(s, e->loc, "'->' reads a member through a pointer to a struct, but this "
				   "is %s%s", sema_type_name(s, t), t->kind == TY_RECORD ? " (use '.')" : "");
		else
			sema_error(s, e->loc, "'.' reads a member of a struct, but this is %s%s",
				   sema_type_name(s, t), t->kind == TY_PTR ? " (use '->')" : "");
		return NULL;
	}
	if (t->incomplete) {
		sema_error(s, e->loc, "%s is declared but never defined: its members are not known",
			   ty_c_name(s->arena, t));
		return NULL;
	}
	return t;
}

/* The member names of a record, for did-you-mean. */
static void member_names(const struct eq_type *rec, const char **names, int max)
{
	int n, k = 0;
	const struct ty_field *f = ty_record_fields(rec, &n);
	for (int i = 0; i < n && k < max - 1; i++)
		if (f[i].name)
			names[k++] = f[i].name;
	names[k] = NULL;
}

/* p->field, s.field */
const struct eq_type *sema_member(struct sema *s, struct ast *e, const struct eq_type *object)
{
	const struct eq_type *rec = record_of(s, e, object);
	if (!rec)
		return &ty_none;
	struct ty_field *f = ARENA_NEW(s->arena, struct ty_field);
	if (!ty_find_field(s->arena, rec, e->name, f)) {
		sema_error(s, e->loc, "%s has no member '%s'", ty_c_name(s->arena, rec), e->name);
		const char *names[256];
		member_names(rec, names, 256);
		sema_hint(s, e->loc, e->name, names);
		return &ty_none;
	}
	e->field = f;
	const struct eq_type *t = f->type;
	if (t->kind == TY_PTR && t->space == SPACE_NONE) {
		/* a pointer the script's struct holds points where the struct is */
		struct eq_type p = *t;
		p.space = e->op == OP_ARROW ? object->space : sema_space_of(e->a);
		if (p.space == SPACE_NONE)
			p.space = sema_default_space(s);
		t = ty_new(s->arena, p);
	}
	return t;
}

/* p[i], a[i] */
const struct eq_type *sema_index(struct sema *s, struct ast *e)
{
	const struct eq_type *t = sema_expr(s, e->a), *i = sema_expr(s, e->b);
	if (t->kind == TY_NONE)
		return &ty_none;
	if (t->kind != TY_PTR && t->kind != TY_ARRAY) {
		sema_error(s, e->loc, "'[]' indexes a pointer or an array, but this is %s",
			   sema_type_name(s, t));
		return &ty_none;
	}
	if (i->kind != TY_INT && i->kind != TY_NONE)
		sema_error(s, e->b->loc, "an index is an integer, not %s", sema_type_name(s, i));
	int64_t n;
	if (t->kind == TY_ARRAY && t->count > 0 && sema_const_int(s, e->b, &n) &&
	    (n < 0 || (uint64_t)n >= t->count))
		sema_error(s, e->b->loc, "index %lld is out of bounds: %s has elements 0 to %u",
			   (long long)n, ty_c_name(s->arena, t), t->count - 1);
	if (t->elem->kind == TY_VOID) {
		sema_error(s, e->loc, "a void pointer has no elements to index: cast it first");
		return &ty_none;
	}
	return t->elem;
}

/* *p and &x */
const struct eq_type *sema_deref_or_address(struct sema *s, struct ast *e)
{
	const struct eq_type *t = sema_expr(s, e->a);
	if (t->kind == TY_NONE)
		return &ty_none;
	if (e->op == OP_DEREF) {
		if (t->kind == TY_INT) { /* as bpftrace: an integer is an address, and * reads an s64 there
					    (loads.bt's *kaddr("avenrun")) */
			e->a->type = ty_ptr(s->arena, &ty_s64,
					    t->space != SPACE_NONE ? t->space : sema_default_space(s));
			return &ty_s64;
		}
		if (t->kind != TY_PTR || t->elem->kind == TY_VOID) {
			sema_error(s, e->loc, "'*' reads through a pointer, but this is %s",
				   sema_type_name(s, t));
			return &ty_none;
		}
		return t->elem;
	}
	/* &x: x must be memory the program reads through a pointer */
	if (!sema_is_memory(e->a) || (e->a->kind == AST_INDEX && e->a->a->type->kind == TY_ARRAY &&
					!sema_is_memory(e->a->a))) {
		sema_error(s, e->loc, "'&' takes the address of memory read through a pointer "
			   "(&p->field, &p[i]); this has no address");
		return &ty_none;
	}
	return ty_ptr(s->arena, t, sema_space_of(e->a));
}

bool sema_is_memory(const struct ast *e)
{
	if (e->kind == AST_FIELD && e->op == OP_ARROW)
		return true;
	if (e->kind == AST_FIELD && e->field)
		return sema_is_memory(e->a);
	return e->kind == AST_INDEX || (e->kind == AST_UNARY && e->op == OP_DEREF);
}

enum ty_space sema_space_of(const struct ast *e)
{
	bool through_pointer = (e->kind == AST_FIELD && e->op == OP_ARROW) ||
			       (e->kind == AST_UNARY && e->op == OP_DEREF) ||
			       (e->kind == AST_INDEX && e->a->type && e->a->type->kind == TY_PTR);
	if (through_pointer)
		return e->a->type ? e->a->type->space : SPACE_NONE;
	if ((e->kind == AST_FIELD && e->field) || e->kind == AST_INDEX)
		return sema_space_of(e->a); /* a member or an element: where its whole is */
	return e->type ? e->type->space : SPACE_NONE;
}

/* + - on a pointer and an integer (in elements), - of two pointers (in
 * elements), comparisons: NULL if neither side is a pointer. */
const struct eq_type *sema_pointer_arith(struct sema *s, struct ast *e, const struct eq_type *l,
					 const struct eq_type *r)
{
	bool lp = l->kind == TY_PTR, rp = r->kind == TY_PTR;
	if (!lp && !rp)
		return NULL;
	switch (e->op) {
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		return &ty_s64;
	case OP_ADD:
		if (lp && rp)
			break;
		return lp ? l : r;
	case OP_SUB:
		if (rp && !lp)
			break;
		return lp && rp ? &ty_s64 : l;
	default: /* & | ^ << >> * / % work on the address as a number */
		return &ty_u64;
	}
	sema_error(s, e->loc, "'%s' of two pointers has no meaning: pointers add an integer "
		   "and subtract each other", ast_op_text(e->op));
	return &ty_none;
}
