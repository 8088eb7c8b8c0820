/* sema.c - names and types.
 *
 * Walks the AST twice.  Maps are global and may be read in one probe before
 * the probe that assigns them, so the first walk only learns map types
 * (its diagnostics are discarded); the second walk checks everything with
 * the map types known and reports errors in the user's terms.
 */
#define SEMA_INTERNAL
#include "sema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "builtins/builtins.h"
#include "ctypes.h"

void sema_error(struct sema *s, eq_loc loc, const char *fmt, ...)
{
	if (!s->reporting)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(s->diag, loc, "%s", msg);
}

void sema_warning(struct sema *s, eq_loc loc, const char *fmt, ...)
{
	if (!s->reporting)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_warning(s->diag, loc, "%s", msg);
}

void sema_hint(struct sema *s, eq_loc loc, const char *word, const char *const *names)
{
	const char *close = diag_closest(word, names);
	if (s->reporting && close)
		diag_hint(s->diag, loc, "did you mean `%s`?", close);
}

const char *sema_type_name(struct sema *s, const struct eq_type *t)
{
	return ty_name(s->arena, t);
}

#define error sema_error
#define type_name(t) sema_type_name(s, (t))

uint32_t sema_key_layout(const struct eq_type *keys, int nkeys, uint32_t *offsets)
{
	uint32_t off = 0;
	for (int i = 0; i < nkeys; i++) {
		offsets[i] = off;
		off += ty_slot_size(&keys[i]);
	}
	return off;
}

/* ---- maps and variables ------------------------------------------------------ */

static struct sema_map *map_find(struct sema *s, const char *name, eq_loc loc)
{
	struct sema_info *info = s->info;
	for (int i = 0; i < info->maps.count; i++)
		if (!strcmp(info->maps.items[i].name, name))
			return &info->maps.items[i];
	struct sema_map m = {.name = name, .first = loc, .nkeys = -1};
	ARENA_PUSH(s->arena, info->maps, m);
	return &info->maps.items[info->maps.count - 1];
}

#define check_expr sema_expr
static void check_assign(struct sema *s, struct ast *st);
static const struct eq_type *check_args_field(struct sema *s, struct ast *e);

/* Check the keys of a map use against what the map's earlier uses said. */
static void check_map_keys(struct sema *s, struct ast *m, struct sema_map *sm)
{
	int n = m->list.count;
	if (n > 8) {
		error(s, m->loc, "a map key has at most 8 parts");
		n = 8;
	}
	struct eq_type keys[8];
	const char *names[8];
	for (int i = 0; i < n; i++) {
		const struct eq_type *t = check_expr(s, m->list.items[i]);
		const struct ast *k = m->list.items[i];
		names[i] = k->kind == AST_BUILTIN && builtin_find(BUILTIN_VAR, k->name) ? k->name : "";
		if (!ty_is_number(t) && !ty_in_memory(t) && t->kind != TY_NONE) {
			error(s, m->list.items[i]->loc, "a map key must be an integer, a string, a "
			      "tuple or a struct, not %s", type_name(t));
			t = &ty_none;
		}
		keys[i] = *t;
	}
	if (sm->nkeys < 0) {
		sm->nkeys = n;
		memcpy(sm->keys, keys, sizeof(keys[0]) * (size_t)n);
		memcpy(sm->key_names, names, sizeof(names[0]) * (size_t)n);
		return;
	}
	if (sm->nkeys != n) {
		if (n == 0 || sm->nkeys == 0)
			error(s, m->loc, "map %s is used both with and without a key", sm->name);
		else
			error(s, m->loc, "map %s has %d key%s here but %d elsewhere", sm->name, n,
			      n == 1 ? "" : "s", sm->nkeys);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (sm->key_names[i] && strcmp(sm->key_names[i], names[i]))
			sm->key_names[i] = "";
		if (keys[i].kind == TY_NONE)
			continue;
		if (sm->keys[i].kind == TY_NONE) {
			sm->keys[i] = keys[i];
		} else if (!ty_compatible(&sm->keys[i], &keys[i])) {
			error(s, m->list.items[i]->loc,
			      "map %s key%s is %s here, but was %s where the map was first used",
			      sm->name, n > 1 ? " part" : "", type_name(&keys[i]),
			      type_name(&sm->keys[i]));
		} else {
			sm->keys[i] = *ty_unify(s->arena, &sm->keys[i], &keys[i]);
		}
	}
}

static struct sema_map *check_map(struct sema *s, struct ast *m)
{
	struct sema_map *sm = map_find(s, m->name, m->loc);
	m->sema_id = (int)(sm - s->info->maps.items);
	check_map_keys(s, m, sm);
	return sm;
}

/* The value a map will hold: the first assignment decides its kind; an
 * error names both places. */
static void map_set_value(struct sema *s, struct sema_map *sm, const struct eq_type *t, eq_loc loc)
{
	if (t->kind == TY_NONE)
		return;
	if (sm->value.kind == TY_NONE) {
		sm->value = *t;
		sm->value_loc = loc;
		return;
	}
	if (!ty_compatible(&sm->value, t)) {
		bool both_agg = sm->value.kind == TY_AGG && t->kind == TY_AGG;
		if (both_agg && sm->value.agg == t->agg) /* lhist with other bounds */
			error(s, loc, "map %s is an lhist() with other bounds; one map has one set "
			      "of buckets", sm->name);
		else
			error(s, loc, "map %s holds %s, it cannot also hold %s", sm->name,
			      type_name(&sm->value), type_name(t));
		if (s->reporting && sm->value_loc.line > 0)
			diag_note(s->diag, sm->value_loc, "%s was given %s here", sm->name,
				  type_name(&sm->value));
		return;
	}
	sm->value = *ty_unify(s->arena, &sm->value, t);
}

bool sema_const_int(struct sema *s, struct ast *e, int64_t *value)
{
	sema_expr(s, e);
	uint64_t a, b;
	switch (e->kind) {
	case AST_INT:
		*value = e->ival;
		return true;
	case AST_UNARY:
		if (!sema_const_int(s, e->a, value))
			return false;
		a = (uint64_t)*value;
		*value = e->op == OP_NEG ? (int64_t)(0 - a) : e->op == OP_BNOT ? (int64_t)~a
		       : e->op == OP_NOT ? !a : (int64_t)a;
		return e->op != OP_DEREF && e->op != OP_ADDROF;
	case AST_BINARY: {
		int64_t x, y;
		if (!sema_const_int(s, e->a, &x) || !sema_const_int(s, e->b, &y))
			return false;
		a = (uint64_t)x, b = (uint64_t)y;
		switch (e->op) {
		case OP_ADD: *value = (int64_t)(a + b); return true;
		case OP_SUB: *value = (int64_t)(a - b); return true;
		case OP_MUL: *value = (int64_t)(a * b); return true;
		case OP_DIV: /* INT64_MIN / -1 overflows: C traps (SIGFPE); left to the kernel */
			if (y == 0 || (x == INT64_MIN && y == -1))
				return false;
			*value = x / y;
			return true;
		case OP_SHL: *value = (int64_t)(a << (b & 63)); return true;
		case OP_BOR: *value = (int64_t)(a | b); return true;
		case OP_BAND: *value = (int64_t)(a & b); return true;
		default: return false;
		}
	}
	default:
		return false;
	}
}

/* The probe's variable `name`; with out_of_scope, a for-map loop's that
 * is no longer visible (for a better message). */
static struct sema_var *var_lookup(struct sema *s, const char *name, bool out_of_scope)
{
	struct sema_info *info = s->info;
	for (int i = info->vars.count - 1; i >= s->vars_start; i--) /* the latest: a loop's, in it */
		if (info->vars.items[i].out_of_scope == out_of_scope && !strcmp(info->vars.items[i].name, name))
			return &info->vars.items[i];
	return NULL;
}

static struct sema_var *var_find(struct sema *s, const char *name)
{
	return var_lookup(s, name, false);
}

static const struct eq_type *value_of_map(struct sema *s, struct ast *m, struct sema_map *sm)
{
	if (ty_in_memory(&sm->value) || sm->value.kind == TY_PTR)
		return ty_new(s->arena, sm->value); /* a copy: the map's type may still grow */
	if (sm->value.kind == TY_NONE)
		error(s, m->loc, "map %s is read but never assigned", sm->name);
	if (sm->value.kind == TY_AGG) {
		const struct eq_type *t = agg_read_type(&sm->value);
		if (!t)
			error(s, m->loc, "map %s holds %s, which has no single value to read in a program; "
			      "print(%s) shows it", sm->name, type_name(&sm->value), sm->name);
		return t ? t : &ty_none;
	}
	return &ty_s64;
}

/* ---- calls ------------------------------------------------------------------- */

static bool arg_count(struct sema *s, struct ast *call, int min, int max)
{
	int n = call->list.count;
	if (n >= min && n <= max)
		return true;
	if (min == max)
		error(s, call->loc, "%s() takes %d argument%s, %d given", call->name, min,
		      min == 1 ? "" : "s", n);
	else
		error(s, call->loc, "%s() takes %d to %d arguments, %d given", call->name, min, max, n);
	return false;
}

bool sema_int_arg(struct sema *s, struct ast *call, int index)
{
	struct ast *a = call->list.items[index];
	const struct eq_type *t = check_expr(s, a);
	if (ty_is_number(t) || t->kind == TY_NONE)
		return t->kind != TY_NONE;
	error(s, a->loc, "%s() takes an integer here, not %s", call->name, type_name(t));
	return false;
}

const char *sema_literal_arg(struct sema *s, struct ast *call, int index, const char *what)
{
	struct ast *a = call->list.items[index];
	check_expr(s, a);
	if (a->kind == AST_STR)
		return a->str;
	if (a->type->kind != TY_NONE)
		error(s, a->loc, "%s() takes %s", call->name, what);
	return NULL;
}

struct sema_map *sema_map_arg(struct sema *s, struct ast *call, bool with_key)
{
	struct ast *m = call->list.items[0];
	if (m->kind != AST_MAP) {
		error(s, m->loc, "%s() expects a map%s", call->name, with_key ? " entry, like @m[key]" : ", like @m");
		return NULL;
	}
	struct sema_map *sm = map_find(s, m->name, m->loc);
	m->sema_id = (int)(sm - s->info->maps.items);
	if (with_key || m->list.count > 0)
		check_map_keys(s, m, sm);
	m->type = &ty_map;
	return sm;
}

/* NAME_LIKE_THIS: how C spells a macro or an enumerator. */
static bool looks_like_constant(const char *name)
{
	bool letter = false;
	for (const char *c = name; *c; c++) {
		if (*c >= 'A' && *c <= 'Z')
			letter = true;
		else if (!(*c == '_' || (*c >= '0' && *c <= '9')))
			return false;
	}
	return letter;
}

/* The registry's entry for a builtin variable or call, or NULL after an
 * error: unknown (with did-you-mean), or not supported yet. */
static const struct builtin *find_builtin(struct sema *s, enum builtin_kind kind, struct ast *e)
{
	const char *what = kind == BUILTIN_CALL ? "function" : "builtin";
	const struct builtin *b = builtin_find(kind, e->name);
	if (!b) {
		const char *names[128];
		builtin_names(kind, names, 128);
		error(s, e->loc, "unknown %s '%s'", what, e->name);
		if (kind != BUILTIN_CALL && looks_like_constant(e->name) && s->reporting)
			/* bpftrace's tools take such names from kernel headers
			 * (runqlat.bt's TASK_RUNNING, from <linux/sched.h>) */
			diag_hint(s->diag, e->loc,
				  "`%s` looks like a C constant: the kernel's BTF has its enums but not "
				  "its headers' macros; give it a value with `#define %s VALUE`",
				  e->name, e->name);
		else
			sema_hint(s, e->loc, e->name, names);
		return NULL;
	}
	if (b->later) {
		error(s, e->loc, "the %s '%s' %s", what, e->name, b->later);
		return NULL;
	}
	return b;
}

/* A call, through the builtin registry.  `map_value`: it is the value of
 * `@m[...] = call`, where aggregations may stand. */
/* A printf or time() whose format ends without a newline: a probe may
 * print a line in pieces (eq_image.lines_by_thread). */
static void note_partial_line(struct sema *s, const struct ast *call)
{
	if (call->kind == AST_CALL && (!strcmp(call->name, "printf") || !strcmp(call->name, "time")) &&
	    call->list.count > 0 && call->list.items[0]->kind == AST_STR) {
		const struct ast *fmt = call->list.items[0];
		if (fmt->str_len == 0 || fmt->str[fmt->str_len - 1] != '\n')
			s->info->writes_partial_lines = true;
	}
}

static const struct eq_type *check_call(struct sema *s, struct ast *call, bool is_statement,
					bool map_value)
{
	const char *n = call->name;
	const struct builtin *b = find_builtin(s, BUILTIN_CALL, call);
	if (!b)
		return &ty_none;
	if (b->use == USE_STATEMENT && !is_statement) {
		error(s, call->loc, "%s() has no value; call it as a statement", n);
		return &ty_none;
	}
	const struct eq_type *t = &ty_none;
	if (arg_count(s, call, b->min_args, b->max_args))
		t = b->check(s, call);
	if (b->use == USE_MAP_VALUE && !map_value)
		error(s, call->loc, "%s() can only be assigned to a map, as in @x = %s(%s)", n, n,
		      b->max_args ? "value" : "");
	note_partial_line(s, call);
	return t;
}

static const struct eq_type *check_builtin(struct sema *s, struct ast *e)
{
	int64_t value;
	if (!builtin_find(BUILTIN_VAR, e->name) && ctypes_enum_value(s->info->ctypes, e->name, &value)) {
		e->kind = AST_INT; /* an enumerator of the script's or the kernel's enums */
		e->ival = value;
		return &ty_s64;
	}
	const struct builtin *b = find_builtin(s, BUILTIN_VAR, e);
	return b ? b->check(s, e) : &ty_none;
}

/* ---- expressions ------------------------------------------------------------- */

static bool is_comparison(enum ast_op op)
{
	return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

/* x / 0 and x % 0 are defined in BPF (0 and x), so the program runs, but
 * a constant 0 is almost certainly a mistake. */
static void warn_zero_divisor(struct sema *s, enum ast_op op, struct ast *divisor)
{
	int64_t v;
	if (divisor->kind == AST_INT ? divisor->ival == 0 : sema_const_int(s, divisor, &v) && v == 0)
		sema_warning(s, divisor->loc, "%s by zero: the result is %s, as BPF defines it",
			     op == OP_DIV ? "division" : "modulo", op == OP_DIV ? "0" : "the dividend");
}

static const struct eq_type *check_binary(struct sema *s, struct ast *e)
{
	const struct eq_type *l = check_expr(s, e->a), *r = check_expr(s, e->b);
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &ty_s64;
	bool l_text = l->kind == TY_STR || ty_is_chars(l), r_text = r->kind == TY_STR || ty_is_chars(r);
	if ((e->op == OP_EQ || e->op == OP_NE) && l_text && r_text)
		return &ty_s64; /* strings, and char arrays as strings (comm == "bash") */
	if ((e->op == OP_EQ || e->op == OP_NE) && ty_in_memory(l) && ty_compatible(l, r)) {
		/* tuples, structs, arrays: their bytes (a struct's padding too) */
		if (sema_fits_copy(s, e->a, l) && sema_fits_copy(s, e->b, r))
			return &ty_s64;
		return &ty_none;
	}
	const struct eq_type *p = ty_is_number(l) && ty_is_number(r) ? sema_pointer_arith(s, e, l, r) : NULL;
	if (p)
		return p;
	if (l->kind != TY_INT || r->kind != TY_INT) {
		const struct ast *bad = l->kind != TY_INT ? e->a : e->b;
		if (l->kind == TY_STR && r->kind == TY_STR)
			error(s, e->loc, "strings can be compared with == and !=, not with '%s'",
			      ast_op_text(e->op));
		else
			error(s, bad->loc, "'%s' needs integers, but this is %s", ast_op_text(e->op),
			      type_name(bad->type));
		return &ty_s64;
	}
	if (is_comparison(e->op) || e->op == OP_LAND || e->op == OP_LOR)
		return &ty_s64;
	if (e->op == OP_DIV || e->op == OP_MOD)
		warn_zero_divisor(s, e->op, e->b);
	return l->is_signed && r->is_signed ? &ty_s64 : &ty_u64;
}

/* (a, b, ...): integers, strings and tuples. */
static const struct eq_type *check_tuple(struct sema *s, struct ast *e)
{
	const struct eq_type *elems[e->list.count + 1];
	bool ok = true;
	for (int i = 0; i < e->list.count; i++) {
		elems[i] = check_expr(s, e->list.items[i]);
		if (!ty_is_number(elems[i]) && !ty_in_memory(elems[i])) {
			if (elems[i]->kind != TY_NONE)
				error(s, e->list.items[i]->loc, "a tuple holds integers, strings and "
				      "tuples, not %s", type_name(elems[i]));
			ok = false;
		}
	}
	return ok ? ty_tuple(s->arena, elems, e->list.count) : &ty_none;
}

/* $t.N: element N of a tuple. */
static const struct eq_type *check_tuple_element(struct sema *s, struct ast *e)
{
	const struct eq_type *t = e->a->type;
	if (t->kind == TY_NONE)
		return &ty_none;
	char *end;
	long n = strtol(e->name, &end, 10);
	if (*end || e->op != OP_DOT) {
		error(s, e->loc, "a tuple's elements are numbered: %s.0 is the first",
		      e->a->kind == AST_VAR ? e->a->name : "tuple");
		return &ty_none;
	}
	if (n >= t->nfields) {
		error(s, e->loc, "this tuple has %d elements, numbered 0 to %d", t->nfields, t->nfields - 1);
		return &ty_none;
	}
	e->ival = n;
	const struct eq_type *elem = t->fields[n].type;
	if (elem->kind == TY_AGG && e != s->print_arg) { /* a for-map loop's $kv.1 of a hist map */
		const char *var = e->a->kind == AST_VAR ? e->a->name : "$kv";
		error(s, e->loc, "%s.1 is the %s of one entry, which has no single value to compute "
		      "with; print(%s.1) prints it", var, type_name(elem), var);
		return &ty_none;
	}
	return elem;
}

static const struct eq_type *check_var(struct sema *s, struct ast *e)
{
	struct sema_var *v = var_find(s, e->name);
	if (!v && (v = var_lookup(s, e->name, true))) {
		error(s, e->loc, "%s exists only inside the for loop over %s at line %d", e->name,
		      s->info->maps.items[v->map].name, v->loc.line);
		return &ty_none;
	}
	if (!v) {
		error(s, e->loc, "the variable %s is used before it is assigned", e->name);
		return &ty_none;
	}
	if (v->map_entry && v->type.kind == TY_TUPLE && v->type.fields[1].type->kind == TY_AGG &&
	    e != s->element_base) {
		error(s, e->loc, "%s is an entry of %s, whose %s values have no single value: use %s.0 "
		      "(the key) and print(%s.1)", e->name, s->info->maps.items[v->map].name,
		      type_name(v->type.fields[1].type), e->name, e->name);
		return &ty_none;
	}
	e->sema_id = (int)(v - s->info->vars.items);
	/* A copy: the variable's type may still grow.  Equal bytes are an
	 * equal type, and a node's type is never changed in place. */
	if (!v->read_type || memcmp(v->read_type, &v->type, sizeof(v->type)))
		v->read_type = ty_new(s->arena, v->type);
	return v->read_type;
}

/* $N is replaced by the script's Nth argument: a number if it reads as one,
 * else a string, 0 if there is none; $# by how many there are.  str($N)
 * is the argument's text (builtins/strings.c). */
const char *sema_param_text(struct sema *s, int64_t n)
{
	s->info->reads_params = true;
	return n >= 1 && n <= s->info->nparams ? s->info->params[n - 1] : "";
}

static const struct eq_type *check_positional(struct sema *s, struct ast *e)
{
	s->info->reads_params = true;
	const struct sema_info *info = s->info;
	if (e->name && !strcmp(e->name, "$#")) {
		e->kind = AST_INT;
		e->ival = info->nparams;
		return &ty_s64;
	}
	if (e->ival < 1 || e->ival > info->nparams) { /* unset: 0, as bpftrace reads it */
		e->kind = AST_INT;
		e->ival = 0;
		return &ty_s64;
	}
	const char *arg = info->params[e->ival - 1];
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 0);
	if (*arg && !*end && !errno) {
		e->kind = AST_INT;
		e->ival = v;
		if (v < 0) { /* literals are never negative: make it -(literal) */
			e->a = ast_new(s->arena, AST_INT, e->loc);
			e->a->ival = (int64_t)(0 - (uint64_t)v);
			e->kind = AST_UNARY;
			e->op = OP_NEG;
			return check_expr(s, e);
		}
		return &ty_s64;
	}
	e->kind = AST_STR;
	e->str = arena_strdup(s->arena, arg);
	e->str_len = (int)strlen(arg);
	return ty_str(s->arena, (uint32_t)e->str_len + 1);
}

static const struct eq_type *check_expr_kind(struct sema *s, struct ast *e)
{
	switch (e->kind) {
	case AST_INT:
		return (uint64_t)e->ival > INT64_MAX ? &ty_u64 : &ty_s64;
	case AST_STR:
		if ((uint32_t)e->str_len + 1 > s->info->strlen)
			error(s, e->loc, "this string is %d bytes, longer than the string size %u (--strlen)",
			      e->str_len, s->info->strlen);
		return ty_str(s->arena, (uint32_t)e->str_len + 1);
	case AST_BUILTIN:
		return check_builtin(s, e);
	case AST_VAR:
		return check_var(s, e);
	case AST_POSITIONAL:
		return check_positional(s, e);
	case AST_MAP:
		return value_of_map(s, e, check_map(s, e));
	case AST_CALL:
		return check_call(s, e, false, false);
	case AST_BINARY:
		return check_binary(s, e);
	case AST_UNARY: {
		if (e->op == OP_DEREF || e->op == OP_ADDROF)
			return sema_deref_or_address(s, e);
		const struct eq_type *t = check_expr(s, e->a);
		if (!ty_is_number(t) && t->kind != TY_NONE)
			error(s, e->a->loc, "'%s' needs an integer, but this is %s", ast_op_text(e->op),
			      type_name(t));
		return e->op == OP_NOT ? &ty_s64 : t->kind == TY_INT ? t : &ty_s64;
	}
	case AST_INCDEC: /* $x++ as a value: the variable's or map's integer */
		check_assign(s, e);
		if (e->a->kind != AST_VAR && e->a->kind != AST_MAP)
			return &ty_none;
		/* as C: the variable's type; a map's value reads as signed */
		return e->a->kind == AST_VAR && e->a->type && e->a->type->kind == TY_INT ? e->a->type
											    : &ty_s64;
	case AST_TERNARY: {
		const struct eq_type *c = check_expr(s, e->a), *t = check_expr(s, e->b),
				     *f = check_expr(s, e->c);
		if (!ty_is_number(c) && c->kind != TY_NONE)
			error(s, e->a->loc, "a condition must be an integer, not %s", type_name(c));
		if (t->kind != f->kind && t->kind != TY_NONE && f->kind != TY_NONE) {
			error(s, e->loc, "the two sides of '?:' differ: %s and %s", type_name(t), type_name(f));
			return &ty_none;
		}
		if (t->kind == TY_STR)
			return ty_str(s->arena, t->size > f->size ? t->size : f->size);
		if (ty_in_memory(t) && t->kind == f->kind) { /* tuples, stacks: one layout for both */
			if (ty_compatible(t, f))
				return ty_unify(s->arena, t, f);
			error(s, e->loc, "the two sides of '?:' differ: %s and %s", type_name(t), type_name(f));
			return &ty_none;
		}
		return t->is_signed && f->is_signed ? &ty_s64 : &ty_u64;
	}
	case AST_CAST:
		return sema_cast(s, e);
	case AST_TUPLE:
		return check_tuple(s, e);
	case AST_FIELD:
		if (e->a->kind == AST_BUILTIN && !strcmp(e->a->name, "args"))
			return check_args_field(s, e);
		s->element_base = e->a;
		if (check_expr(s, e->a)->kind == TY_TUPLE || e->a->type->kind == TY_NONE)
			return check_tuple_element(s, e);
		return sema_member(s, e, e->a->type);
	case AST_INDEX:
		return sema_index(s, e);
	default:
		error(s, e->loc, "this is not an expression");
		return &ty_none;
	}
}

const struct eq_type *sema_expr(struct sema *s, struct ast *e)
{
	e->type = check_expr_kind(s, e);
	return e->type;
}

/* A tracepoint field the format declares a pointer ("struct
 * __kernel_timespec * rqtp"): a pointer to that type, so args->rqtp->tv_sec
 * reads through it.  A system call's pointers point into the calling
 * process; other tracepoints' into the kernel.  NULL if the field is no
 * pointer or its type is not known. */
static const struct eq_type *args_pointer(struct sema *s, const struct attach_point *ap,
					  const struct tp_field *f)
{
	if (!f->c_type || !strchr(f->c_type, '*') || f->size != 8)
		return NULL;
	char base[256] = "";
	int stars = 0;
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", f->c_type);
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (; *w == '*'; w++)
			stars++;
		size_t n = strlen(w);
		for (; n && w[n - 1] == '*'; n--)
			stars++;
		w[n] = 0;
		if (!*w || !strcmp(w, "const") || !strcmp(w, "volatile") || !strcmp(w, "__user"))
			continue;
		snprintf(base + strlen(base), sizeof(base) - strlen(base), "%s%s", *base ? " " : "", w);
	}
	const struct eq_type *t = *base ? ctypes_lookup(s->info->ctypes, base) : NULL;
	if (!t || !stars)
		return NULL;
	enum ty_space space = !strncmp(ap->target, "syscalls:", 9) ? SPACE_USER : SPACE_KERNEL;
	while (stars--)
		t = ty_ptr(s->arena, t, space);
	return t;
}

/* args->FIELD: typed from the format of every tracepoint the probe runs on,
 * which must agree. */
static const struct eq_type *check_args_field(struct sema *s, struct ast *e)
{
	const struct attach_list *points = &s->info->points[s->probe_index];
	const struct eq_type *t = NULL;
	for (int i = 0; i < points->count; i++) {
		const struct attach_point *ap = &points->items[i];
		if (!ap->format) {
			error(s, e->loc, "args is only available in tracepoint probes, not in %s",
			      ap->probe_name);
			return &ty_none;
		}
		const struct tp_field *f = probe_find_field(ap, e->name);
		if (!f) {
			error(s, e->loc, "tracepoint %s has no field '%s'", ap->target, e->name);
			const char *names[64];
			int n = 0;
			for (int k = 0; k < ap->format->count && n < 63; k++)
				names[n++] = ap->format->items[k].name;
			names[n] = NULL;
			sema_hint(s, e->loc, e->name, names);
			return &ty_none;
		}
		const struct eq_type *ft = f->kind == TPF_INT ? args_pointer(s, ap, f) : NULL;
		if (!ft && f->kind == TPF_ARRAY) /* read in place, as a C array */
			ft = ty_array(s->arena, ty_int(s->arena, f->size / f->count, f->is_signed), f->count);
		if (!ft)
			ft = f->kind == TPF_INT ? (f->is_signed ? &ty_s64 : &ty_u64)
			   : ty_str(s->arena, f->kind == TPF_CHARS ? f->size : s->info->strlen);
		if (t && t->kind != ft->kind) {
			error(s, e->loc, "args->%s is %s in one tracepoint of this probe and %s in %s",
			      e->name, type_name(t), type_name(ft), ap->target);
			return &ty_none;
		}
		if (!t || (ft->kind == TY_STR && ft->size > t->size))
			t = ft;
	}
	return t ? t : &ty_none;
}

/* args as a whole (print(args), $a = args): a record of the tracepoint's
 * fields as args->FIELD reads them - integers as 64-bit values, strings as
 * strings - one 8-byte aligned slot each, in the format's order.  Every
 * tracepoint of the probe must have the same fields. */
const struct eq_type *sema_args_record(struct sema *s, struct ast *e)
{
	const struct attach_list *points = &s->info->points[s->probe_index];
	if (!points->count || !points->items[0].format) {
		error(s, e->loc, "args is a tracepoint's record: %s has none",
		      points->count ? points->items[0].probe_name : "this probe");
		return &ty_none;
	}
	const struct tp_format *format = points->items[0].format;
	for (int i = 1; i < points->count; i++) {
		const struct tp_format *other = points->items[i].format;
		bool same = other && other->count == format->count;
		for (int k = 0; same && k < format->count; k++)
			same = !strcmp(other->items[k].name, format->items[k].name);
		if (!same) {
			error(s, e->loc, "args differs between %s and %s: read the fields you need, "
			      "as in args->FIELD", points->items[0].probe_name, points->items[i].probe_name);
			return &ty_none;
		}
	}
	struct ty_field *fields = ARENA_ARRAY(s->arena, struct ty_field, format->count + 1);
	uint32_t size = 0;
	for (int k = 0; k < format->count; k++) {
		struct ast field = {.kind = AST_FIELD, .loc = e->loc, .a = e,
				    .name = format->items[k].name};
		const struct eq_type *t = check_args_field(s, &field);
		fields[k] = (struct ty_field){.type = t, .offset = size, .name = field.name};
		size += ty_slot_size(t);
	}
	return ty_new(s->arena, (struct eq_type){.kind = TY_RECORD, .size = size, .align = 8,
						 .fields = fields, .nfields = format->count,
						 .name = arena_printf(s->arena, "args of %s",
								      points->items[0].probe_name)});
}

/* ---- statements ------------------------------------------------------------ */

/* A struct or array copied whole (into a variable, a map, an output): a
 * big one lives in the scratch map (lower_slot), whose value is at most
 * 32 KiB for all the copies a program holds at once. */
enum { MAX_COPY = 8192 };

bool sema_fits_copy(struct sema *s, const struct ast *e, const struct eq_type *t)
{
	if ((t->kind != TY_RECORD && t->kind != TY_ARRAY) || ty_size_of(t) <= MAX_COPY)
		return true;
	sema_error(s, e->loc, "%s is %u bytes, more than the %d a value copied whole may have: "
		   "read the members you need (p->member)", ty_c_name(s->arena, t), t->size, MAX_COPY);
	return false;
}

static void check_block(struct sema *s, struct ast *block);

static void assign_var(struct sema *s, struct ast *lhs, const struct eq_type *t)
{
	if (!sema_fits_copy(s, lhs, t))
		t = &ty_none;
	struct sema_var *v = var_find(s, lhs->name);
	if (!v) {
		if (!ty_is_number(t) && !ty_in_memory(t)) {
			if (t->kind == TY_MAP) /* count()/sum() were reported where they stand */
				error(s, lhs->loc, "%s cannot hold %s", lhs->name, type_name(t));
			t = &ty_s64;
		}
		struct sema_var nv = {lhs->name, *t};
		ARENA_PUSH(s->arena, s->info->vars, nv);
		v = &s->info->vars.items[s->info->vars.count - 1];
	} else if (t->kind != TY_NONE && !ty_compatible(&v->type, t)) {
		error(s, lhs->loc, "%s holds %s, it cannot also hold %s", lhs->name,
		      type_name(&v->type), type_name(t));
	} else if (t->kind != TY_NONE) {
		v->type = *ty_unify(s->arena, &v->type, t);
	}
	lhs->sema_id = (int)(v - s->info->vars.items);
	lhs->type = &v->type;
}

/* lvalue = value, lvalue op= value, lvalue++ */
static void check_assign(struct sema *s, struct ast *st)
{
	struct ast *lhs = st->a, *rhs = st->b;
	bool compound = st->kind == AST_INCDEC || st->op != OP_NONE;
	const struct eq_type *t;
	if (rhs && rhs->kind == AST_CALL && lhs->kind == AST_MAP && !compound)
		t = rhs->type = check_call(s, rhs, false, true); /* aggregations may stand here */
	else
		t = rhs ? check_expr(s, rhs) : &ty_s64;
	if (compound && t->kind != TY_INT && t->kind != TY_NONE)
		error(s, rhs->loc, "'%s' needs an integer, but this is %s",
		      ast_op_text(st->op), type_name(t));
	if (st->kind == AST_ASSIGN && (st->op == OP_DIV || st->op == OP_MOD))
		warn_zero_divisor(s, st->op, rhs);
	if (lhs->kind == AST_VAR) {
		if (compound) {
			const struct eq_type *cur = check_var(s, lhs);
			lhs->type = cur;
			if (cur->kind == TY_STR)
				error(s, lhs->loc, "%s holds a string; '%s' needs an integer", lhs->name,
				      ast_op_text(st->op));
			else if (cur->kind != TY_INT && cur->kind != TY_PTR && cur->kind != TY_NONE) /* a tuple... */
				error(s, lhs->loc, "%s holds %s; '%s' needs an integer", lhs->name,
				      type_name(cur), ast_op_text(st->op));
			return;
		}
		assign_var(s, lhs, t);
	} else if (lhs->kind == AST_MAP) {
		struct sema_map *sm = check_map(s, lhs);
		if (compound) {
			if (sm->value.kind == TY_AGG || sm->value.kind == TY_STR)
				error(s, lhs->loc, "map %s holds %s; '%s' needs a map of integers", sm->name,
				      type_name(&sm->value), ast_op_text(st->op));
			map_set_value(s, sm, &ty_s64, lhs->loc);
		} else if (sema_fits_copy(s, rhs, t)) {
			map_set_value(s, sm, t, rhs->loc);
		}
		lhs->type = &sm->value;
	} else if (lhs->kind == AST_BUILTIN) {
		error(s, lhs->loc, "'%s' is a builtin and cannot be assigned", lhs->name);
	} else {
		error(s, lhs->loc, "only a $variable or an @map can be assigned");
	}
}

static void check_condition(struct sema *s, struct ast *c)
{
	const struct eq_type *t = check_expr(s, c);
	if (!ty_is_number(t) && t->kind != TY_NONE)
		error(s, c->loc, "a condition must be an integer, not %s", type_name(t));
}

enum { UNROLL_MAX = 100 };

static void check_loop_body(struct sema *s, struct ast *body)
{
	s->loops++;
	check_block(s, body);
	s->loops--;
}

/* for ($i : a..b): $i counts from a up to b, excluded. */
static void check_for_range(struct sema *s, struct ast *st)
{
	struct ast *range = st->b;
	for (int i = 0; i < 2; i++) {
		struct ast *bound = i ? range->b : range->a;
		const struct eq_type *t = check_expr(s, bound);
		if (t->kind != TY_INT && t->kind != TY_NONE)
			error(s, bound->loc, "a range counts integers, not %s", type_name(t));
	}
	assign_var(s, st->a, &ty_s64);
	check_loop_body(s, st->c);
}

/* The type of a for-map loop's variable: (key, value), the key a tuple
 * for several keys, the value as a program reads it (an aggregation's
 * over all CPUs), or, for stats, hist and lhist, which have no single
 * value, the aggregation itself (print() alone takes it). */
static const struct eq_type *map_entry_type(struct sema *s, struct ast *m, const struct sema_map *sm)
{
	if (sm->value.kind == TY_NONE) {
		error(s, m->loc, "map %s is iterated but never assigned", sm->name);
		return &ty_none;
	}
	if (sm->nkeys <= 0) {
		error(s, m->loc, "map %s has no keys, so a for loop has no entries to visit: it holds one "
		      "value, which %s reads and print(%s) prints", sm->name, sm->name, sm->name);
		return &ty_none;
	}
	const struct eq_type *key = &sm->keys[0];
	if (sm->nkeys > 1) {
		const struct eq_type *keys[SEMA_MAX_KEYS];
		for (int k = 0; k < sm->nkeys; k++)
			keys[k] = &sm->keys[k];
		key = ty_tuple(s->arena, keys, sm->nkeys);
	}
	const struct eq_type *value = ty_new(s->arena, sm->value);
	if (sm->value.kind == TY_AGG && agg_read_type(&sm->value))
		value = agg_read_type(&sm->value);
	const struct eq_type *entry[2] = {key, value};
	return ty_tuple(s->arena, entry, 2);
}

/* for ($kv : @m): the body runs for each entry of @m, $kv being the
 * entry; $kv is a variable of the loop only.  The body becomes a callback
 * of bpf_for_each_map_elem (lower_callback.c). */
static void check_for_map(struct sema *s, struct ast *st)
{
	s->info->has_map_loops = true;
	struct ast *var = st->a, *m = st->b;
	struct sema_map *sm = map_find(s, m->name, m->loc);
	m->sema_id = (int)(sm - s->info->maps.items);
	m->type = &ty_map;
	const struct eq_type *entry = map_entry_type(s, m, sm);
	struct sema_var *same = var_find(s, var->name);
	if (same && same->map_entry)
		error(s, var->loc, "%s is already the variable of the for loop around this one; this "
		      "loop names its entries with a variable of its own", var->name);
	else if (same)
		error(s, var->loc, "%s is already a variable of this probe; a for loop names its entries "
		      "with a variable of its own", var->name);
	struct sema_var nv = {.name = var->name, .type = *entry, .map_entry = true,
			      .map = m->sema_id, .loc = st->loc};
	ARENA_PUSH(s->arena, s->info->vars, nv);
	int id = s->info->vars.count - 1;
	var->sema_id = id;
	var->type = &s->info->vars.items[id].type;
	check_loop_body(s, st->c);
	s->info->vars.items[id].out_of_scope = true;
}

static void check_for(struct sema *s, struct ast *st)
{
	if (st->b->kind == AST_RANGE)
		check_for_range(s, st);
	else
		check_for_map(s, st);
}

static void check_stmt(struct sema *s, struct ast *st)
{
	switch (st->kind) {
	case AST_EXPR_STMT:
		if (st->a->kind == AST_CALL)
			st->a->type = check_call(s, st->a, true, false);
		else if (st->a->kind == AST_INCDEC)
			check_assign(s, st->a);
		else
			check_expr(s, st->a);
		break;
	case AST_ASSIGN:
		check_assign(s, st);
		break;
	case AST_IF:
		check_condition(s, st->a);
		check_block(s, st->b);
		if (st->c)
			check_stmt(s, st->c);
		break;
	case AST_BLOCK:
		check_block(s, st);
		break;
	case AST_RETURN:
		break;
	case AST_WHILE:
		check_condition(s, st->a);
		check_loop_body(s, st->b);
		break;
	case AST_UNROLL: {
		int64_t n;
		if (!sema_const_int(s, st->a, &n) || n < 1 || n > UNROLL_MAX)
			error(s, st->a->loc, "unroll() takes a constant count from 1 to %d", UNROLL_MAX);
		else
			st->ival = n;
		check_loop_body(s, st->b);
		break;
	}
	case AST_FOR:
		check_for(s, st);
		break;
	case AST_BREAK:
	case AST_CONTINUE:
		if (!s->loops)
			error(s, st->loc, "'%s' is only meaningful inside a loop (while, unroll, for)",
			      st->kind == AST_BREAK ? "break" : "continue");
		break;
	default:
		error(s, st->loc, "this is not a statement");
	}
}

static void check_block(struct sema *s, struct ast *block)
{
	for (int i = 0; i < block->list.count; i++)
		check_stmt(s, block->list.items[i]);
}

static void check_program(struct sema *s, struct ast *program)
{
	s->info->vars.count = 0;
	for (int i = 0; i < program->list.count; i++) {
		struct ast *probe = program->list.items[i];
		s->probe_index = i;
		s->vars_start = s->info->vars.count;
		if (probe->a)
			check_condition(s, probe->a);
		check_block(s, probe->b);
	}
}

static void finish_maps(struct sema *s)
{
	for (int i = 0; i < s->info->maps.count; i++) {
		struct sema_map *m = &s->info->maps.items[i];
		if (m->nkeys < 0)
			m->nkeys = 0;
		for (int k = 0; k < m->nkeys; k++)
			if (m->keys[k].kind == TY_NONE)
				m->keys[k] = ty_s64;
		m->key_size = m->nkeys ? sema_key_layout(m->keys, m->nkeys, m->key_offsets) : 4;
		if (m->value.kind == TY_NONE) {
			if (!s->diag->errors) /* else an earlier error is why */
				error(s, m->first, "map %s is never assigned a value", m->name);
			m->value = ty_s64;
		}
		m->value_size = m->value.kind == TY_AGG ? agg_value_size(&m->value) : ty_slot_size(&m->value);
	}
}

int sema_check(struct ast *program, struct sema_info *info, struct arena *arena,
	       struct eq_diag *diag, uint32_t strlen)
{
	struct sema s = {.info = info, .arena = arena, .diag = diag};
	int before = diag->errors;
	info->strlen = strlen;
	check_program(&s, program); /* learn map types */
	s.reporting = true;
	check_program(&s, program);
	finish_maps(&s);
	return diag->errors - before;
}
