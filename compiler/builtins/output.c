/* output.c - what a script says: printf(), print(), exit().
 *
 * Each is an event record sent through the ring buffer (lower_event.c); the
 * runtime formats it.  printf's format is checked here against the
 * arguments' types, so the runtime never meets a mismatch. */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <stdint.h>
#include <string.h>

#include "builtins.h"
#include "lower.h"
#include "sema.h"

/* ---- printf ------------------------------------------------------------------- */

/* Walk a printf format; for each conversion call back with its letter.
 * Returns the number of conversions, or -1 (after reporting) on a malformed
 * one. */
static int format_each(struct sema *s, const struct ast *call,
		       void (*fn)(struct sema *, char, int, void *), void *arg)
{
	const struct ast *fmt = call->list.items[0];
	const char *p = fmt->str, *end = fmt->str + fmt->str_len;
	int index = 0;
	while (p < end) {
		if (*p++ != '%')
			continue;
		if (p < end && *p == '%') {
			p++;
			continue;
		}
		while (p < end && strchr("-+ #0", *p))
			p++;
		while (p < end && (*p >= '0' && *p <= '9'))
			p++;
		if (p < end && *p == '.') {
			p++;
			while (p < end && (*p >= '0' && *p <= '9'))
				p++;
		}
		while (p < end && strchr("lhzjt", *p)) /* length modifiers: values are 64-bit */
			p++;
		if (p >= end || !strchr("diuxXocspr", *p)) {
			if (p < end)
				sema_error(s, fmt->loc, "%s: unknown conversion '%%%c' in the format", call->name, *p);
			else
				sema_error(s, fmt->loc, "%s: the format ends in the middle of a conversion", call->name);
			return -1;
		}
		if (fn)
			fn(s, *p, index, arg);
		p++;
		index++;
	}
	return index;
}

static void check_conversion(struct sema *s, char conv, int index, void *arg)
{
	struct ast *call = arg;
	if (index + 1 >= call->list.count)
		return; /* arity is reported once, by the caller */
	struct ast *a = call->list.items[index + 1];
	bool wants_str = conv == 's';
	if (a->type->kind == TY_NONE)
		return;
	if (conv == 'r') { /* bpftrace's: a buffer, its bytes escaped */
		if (a->type->kind != TY_TEXT || a->type->text != TEXT_BUF)
			sema_error(s, a->loc, "%s: %%r expects a buffer, as buf(p, n) makes, but argument %d "
				   "is %s", call->name, index + 1, sema_type_name(s, a->type));
		return;
	}
	if (wants_str && a->type->kind != TY_STR && !ty_is_chars(a->type) && !ty_is_symbolic(a->type))
		sema_error(s, a->loc, "%s: %%%c expects a string, but argument %d is %s", call->name, conv,
			   index + 1, sema_type_name(s, a->type));
	else if (!wants_str && !ty_is_number(a->type))
		sema_error(s, a->loc, "%s: %%%c expects an integer, but argument %d is %s", call->name, conv,
			   index + 1, sema_type_name(s, a->type));
}

const struct eq_type *builtin_check_format(struct sema *s, struct ast *call)
{
	for (int i = 0; i < call->list.count; i++)
		sema_expr(s, call->list.items[i]);
	if (call->list.count == 0 || call->list.items[0]->kind != AST_STR) {
		sema_error(s, call->loc, "%s: the first argument must be a format string literal", call->name);
		return &ty_none;
	}
	int nconv = format_each(s, call, NULL, NULL);
	if (nconv < 0)
		return &ty_none;
	int nargs = call->list.count - 1;
	if (nconv != nargs) {
		eq_loc at = nargs > nconv ? call->list.items[nconv + 1]->loc : call->loc;
		sema_error(s, at, "%s: the format has %d conversion%s but %d argument%s %s given",
			   call->name, nconv, nconv == 1 ? "" : "s", nargs, nargs == 1 ? "" : "s",
			   nargs == 1 ? "is" : "are");
	}
	format_each(s, call, check_conversion, call);
	return &ty_none;
}

void builtin_lower_format(struct lower *L, const struct ast *call, enum eq_output_kind kind)
{
	struct ast *const *args = call->list.items;
	lower_printf(L, kind, args[0]->str, args + 1, call->list.count - 1, call->loc);
}

static void lower_printf_call(struct lower *L, const struct ast *call)
{
	builtin_lower_format(L, call, EQ_OUT_PRINTF);
}

/* ---- print -------------------------------------------------------------------- */

/* print(@m[, top[, div]]), print(@m[key]), print(value). */
static const struct eq_type *check_print(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	if (a->kind == AST_MAP && a->list.count == 0) {
		struct sema_map *sm = sema_map_arg(s, call, false);
		for (int i = 1; i < call->list.count; i++) {
			struct ast *n = call->list.items[i];
			int64_t v;
			if (!sema_const_int(s, n, &v) || v < 0 || v > UINT32_MAX)
				sema_error(s, n->loc, "print()'s %s must be a constant number from 0 up",
					   i == 1 ? "top (how many entries)" : "div (what values are divided by)");
			else /* lowering reads the number */
				*n = (struct ast){.kind = AST_INT, .loc = n->loc, .ival = v, .type = &ty_s64};
		}
		if (sm && sm->value.kind == TY_AGG && sm->value.agg == AGG_STATS && call->list.count > 1)
			sema_warning(s, call->loc, "print()'s top and div arguments are ignored when used "
				     "on stats() maps");
		return &ty_none;
	}
	if (a->kind == AST_MAP) { /* an entry of an aggregation prints as its map would */
		struct sema_map *sm = sema_map_arg(s, call, true);
		if (sm && sm->value.kind == TY_AGG) {
			a->type = ty_new(s->arena, sm->value);
			if (call->list.count > 1)
				sema_error(s, call->list.items[1]->loc, "print() of one entry takes no more "
					   "arguments; top and div are for whole maps, as in print(@m, 10)");
			return &ty_none;
		}
	}
	s->print_arg = a; /* a for-map loop's $kv.1 of a hist map may stand here */
	const struct eq_type *t = sema_expr(s, a);
	s->print_arg = NULL;
	if (call->list.count > 1)
		sema_error(s, call->list.items[1]->loc, "print() of a value takes no more arguments; "
			   "top and div are for whole maps, as in print(@m, 10)");
	if (t->kind == TY_AGG) /* that $kv.1: prints as print(@h[key]) does */
		return &ty_none;
	if (!sema_fits_copy(s, a, t))
		return &ty_none;
	if (!ty_is_number(t) && !ty_in_memory(t) && t->kind != TY_NONE)
		sema_error(s, a->loc, "print() prints an integer, a string, a tuple, a struct or a map, not %s",
			   sema_type_name(s, t));
	return &ty_none;
}

/* print's top and div, which sema made numbers. */
static uint32_t const_arg(const struct ast *call, int index, uint32_t otherwise)
{
	return index < call->list.count ? (uint32_t)call->list.items[index]->ival : otherwise;
}

static void lower_print(struct lower *L, const struct ast *call)
{
	const struct ast *a = call->list.items[0];
	if (a->type->kind == TY_MAP) {
		struct eq_output *o = lower_send_event(L, EQ_OUT_PRINT_MAP, a->sema_id, call->loc);
		o->top = const_arg(call, 1, 0);
		o->div = const_arg(call, 2, 1);
	} else if (a->kind == AST_MAP && lower_map_info(L, a)->value.kind == TY_AGG) {
		lower_send_key_event(L, EQ_OUT_PRINT_ENTRY, a, call->loc);
	} else if (a->type->kind == TY_AGG) {
		lower_print_map_entry(L, a, call->loc);
	} else {
		lower_print_value(L, a, call->loc);
	}
}

/* ---- exit --------------------------------------------------------------------- */

static const struct eq_type *check_nothing(struct sema *s, struct ast *call)
{
	return &ty_none;
}

/* exit() ends the action where it stands, as return does. */
static void lower_exit(struct lower *L, const struct ast *call)
{
	lower_send_event(L, EQ_OUT_EXIT, 0, call->loc);
	lower_return(L, call->loc);
}

const struct builtin builtins_output[] = {
	BUILTIN_STATEMENT("printf", 0, 1000, builtin_check_format, lower_printf_call),
	BUILTIN_STATEMENT("print", 1, 3, check_print, lower_print),
	BUILTIN_STATEMENT("exit", 0, 0, check_nothing, lower_exit),
	{0},
};
