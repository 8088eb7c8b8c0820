/* ctypes.c - C types by name, and the script's C definitions.
 *
 * A type name in a cast, sizeof(), offsetof() or a definition is
 *   - an integer's: bpftrace's u8..s64 and int8..uint64, C's words
 *     (unsigned long long, short int, char, bool) and C's standard typedefs
 *     (uint32_t, size_t, pid_t...);
 *   - a type the script defined (struct, union, enum, typedef, in the
 *     script or in a file it #includes with "quotes") and the kernel's type
 *     of that name, from BTF.  LANGUAGE.md §1: the script's definitions type
 *     user memory and override nothing BTF knows.  So a type for kernel
 *     memory is BTF's where BTF has it (old scripts define partial copies of
 *     kernel structs; BTF's are exact), and a type for user memory, or one
 *     BTF lacks, is the script's: a traced program's `struct req` is its
 *     own, not the kernel's.
 * `#include <header>` needs nothing where the kernel has BTF: the kernel's
 * types come from there.
 *
 * The script's records are laid out by the C rules of the LP64 ABIs this
 * runs on (x86-64 SysV, arm64 AAPCS64): members at offsets aligned to their
 * type, a bit-field packed into the storage unit of its type where it fits,
 * a record as aligned as its most aligned member and padded to a multiple
 * of that.
 */
#include "ctypes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_types.h"
#include "front.h"

struct ctypes {
	struct arena *arena;
	struct eq_diag *diag;
	struct ctypes_kernel source;
	struct btf_types *kernel;
	bool kernel_read;
	struct {
		struct named_type {
			const char *name;   /* "struct foo", "union u", "enum e", "foo_t" */
			struct eq_type *type;
			eq_loc defined;     /* where the script defined it; line 0: only declared */
			const struct eq_source *defined_in; /* the script, or the header defining it */
			bool warned;        /* that the kernel's BTF has it too */
		} *items;
		int count, cap;
	} names;
	struct {
		struct enumerator {
			const char *name;
			int64_t value;
		} *items;
		int count, cap;
	} enumerators;
	int errors;
	int include_depth;
	int defining;  /* inside a definition: `struct x *` may name a struct defined later */
};

struct ctypes *ctypes_new(struct arena *a, struct eq_diag *diag, struct ctypes_kernel kernel)
{
	struct ctypes *c = ARENA_NEW(a, struct ctypes);
	c->arena = a;
	c->diag = diag;
	c->source = kernel;
	return c;
}

struct btf_types *ctypes_kernel(struct ctypes *c)
{
	if (!c->kernel_read && c->source.read) {
		const struct btf *btf = c->source.read(c->source.ctx);
		c->kernel = btf ? btf_types_new(c->arena, btf) : NULL;
	}
	c->kernel_read = true;
	return c->kernel;
}

static void error(struct ctypes *c, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void error(struct ctypes *c, eq_loc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->errors++;
	diag_error(c->diag, loc, "%s", msg);
}

/* ---- integers by name ------------------------------------------------------ */

#if defined(__CHAR_UNSIGNED__)
enum { CHAR_SIGNED = 0 }; /* arm64: char is unsigned */
#else
enum { CHAR_SIGNED = 1 };
#endif

/* One-word names: bpftrace's and C's standard typedefs. */
static const struct {
	const char *name;
	uint8_t size;
	bool is_signed;
} int_names[] = {
	{"u8", 1, 0}, {"u16", 2, 0}, {"u32", 4, 0}, {"u64", 8, 0},
	{"s8", 1, 1}, {"s16", 2, 1}, {"s32", 4, 1}, {"s64", 8, 1},
	{"uint8", 1, 0}, {"uint16", 2, 0}, {"uint32", 4, 0}, {"uint64", 8, 0},
	{"int8", 1, 1}, {"int16", 2, 1}, {"int32", 4, 1}, {"int64", 8, 1},
	{"uint8_t", 1, 0}, {"uint16_t", 2, 0}, {"uint32_t", 4, 0}, {"uint64_t", 8, 0},
	{"int8_t", 1, 1}, {"int16_t", 2, 1}, {"int32_t", 4, 1}, {"int64_t", 8, 1},
	{"size_t", 8, 0}, {"ssize_t", 8, 1}, {"uintptr_t", 8, 0}, {"intptr_t", 8, 1},
	{"ptrdiff_t", 8, 1}, {"off_t", 8, 1}, {"time_t", 8, 1}, {"pid_t", 4, 1},
	{"uid_t", 4, 0}, {"gid_t", 4, 0}, {"bool", 1, 0}, {"_Bool", 1, 0},
};

/* C's integer words in any order: unsigned long int, short, char... */
static bool c_words(const char *name, uint32_t *size, bool *is_signed)
{
	int longs = 0, shorts = 0, chars = 0, ints = 0, sign = -1, words = 0;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		words++;
		if (!strcmp(w, "long"))
			longs++;
		else if (!strcmp(w, "short"))
			shorts++;
		else if (!strcmp(w, "char"))
			chars++;
		else if (!strcmp(w, "int"))
			ints++;
		else if (!strcmp(w, "unsigned") || !strcmp(w, "signed"))
			sign = w[0] == 's';
		else
			return false;
	}
	if (!words || longs > 2 || shorts > 1 || chars > 1 || ints > 1 ||
	    (chars && (longs || shorts || ints)) || (shorts && longs))
		return false;
	*size = chars ? 1 : shorts ? 2 : longs ? 8 : 4;
	*is_signed = sign < 0 ? (chars ? CHAR_SIGNED : true) : sign;
	return true;
}

static const struct eq_type *integer_named(struct ctypes *c, const char *name)
{
	for (size_t i = 0; i < sizeof(int_names) / sizeof(int_names[0]); i++)
		if (!strcmp(int_names[i].name, name)) {
			struct eq_type t = *ty_int(c->arena, int_names[i].size, int_names[i].is_signed);
			t.name = int_names[i].name;
			return ty_new(c->arena, t);
		}
	uint32_t size;
	bool is_signed;
	if (!c_words(name, &size, &is_signed))
		return NULL;
	struct eq_type t = *ty_int(c->arena, size, is_signed);
	t.name = arena_strdup(c->arena, name); /* the caller's may be a buffer of its own */
	return ty_new(c->arena, t);
}

/* ---- names ---------------------------------------------------------------------- */

static struct named_type *script_type(struct ctypes *c, const char *name)
{
	for (int i = 0; i < c->names.count; i++)
		if (!strcmp(c->names.items[i].name, name))
			return &c->names.items[i];
	return NULL;
}

const struct eq_type *ctypes_lookup_for(struct ctypes *c, const char *name, bool user)
{
	if (!strcmp(name, "void"))
		return &ty_void;
	const struct eq_type *t = integer_named(c, name);
	if (t)
		return t;
	struct named_type *n = script_type(c, name);
	if (n && (user || (n->defined.line == 0 && !n->type->incomplete)))
		return n->type;
	struct btf_types *k = ctypes_kernel(c);
	if (k && (t = btf_types_find(k, name))) {
		if (n && n->defined.line && !n->warned) {
			n->warned = true;
			/* shown in the file it is defined in, which may be a header */
			struct eq_diag where = *c->diag;
			where.src = n->defined_in;
			diag_warning(&where, n->defined, "the kernel's BTF defines %s too: kernel memory "
				     "is read with the kernel's definition, user memory with this one", name);
		}
		return t;
	}
	return n ? n->type : NULL;
}

const struct eq_type *ctypes_lookup(struct ctypes *c, const char *name)
{
	return ctypes_lookup_for(c, name, false);
}

/* A kernel record named before BTF is read: its members (and size) come
 * from BTF on first use. */
struct kernel_record {
	struct ty_lazy lazy;
	struct ctypes *c;
	struct eq_type *record;
};

static const struct ty_field *kernel_record_fields(const struct ty_lazy *lazy, int *n)
{
	const struct kernel_record *k = (const struct kernel_record *)lazy;
	struct btf_types *bt = ctypes_kernel(k->c);
	const struct eq_type *t = bt ? btf_types_find(bt, k->record->name) : NULL;
	if (!t || t->kind != TY_RECORD) {
		*n = 0;
		return NULL;
	}
	const struct ty_field *f = ty_record_fields(t, n);
	k->record->size = t->size;
	k->record->align = t->align;
	k->record->btf_id = t->btf_id;
	k->record->nfields = *n;
	k->record->fields = f ? f : ARENA_ARRAY(k->c->arena, struct ty_field, 1);
	return k->record->fields;
}

const struct eq_type *ctypes_kernel_record(struct ctypes *c, const char *name)
{
	struct eq_type *rec = ARENA_NEW(c->arena, struct eq_type);
	*rec = (struct eq_type){.kind = TY_RECORD, .name = name, .align = 8};
	struct kernel_record *k = ARENA_NEW(c->arena, struct kernel_record);
	*k = (struct kernel_record){{kernel_record_fields}, c, rec};
	rec->lazy = &k->lazy;
	return rec;
}

bool ctypes_enum_value(struct ctypes *c, const char *name, int64_t *value)
{
	for (int i = 0; i < c->enumerators.count; i++)
		if (!strcmp(c->enumerators.items[i].name, name)) {
			*value = c->enumerators.items[i].value;
			return true;
		}
	struct btf_types *k = ctypes_kernel(c);
	return k && btf_types_enum_value(k, name, value);
}

/* ---- constant expressions: array sizes, enum values, bit widths ------------------ */

static bool const_value(struct ctypes *c, const struct ast *e, int64_t *v)
{
	int64_t a, b;
	switch (e->kind) {
	case AST_INT:
		*v = e->ival;
		return true;
	case AST_BUILTIN: /* an enumerator */
		return ctypes_enum_value(c, e->name, v);
	case AST_UNARY:
		if (!const_value(c, e->a, &a))
			return false;
		*v = e->op == OP_NEG ? (int64_t)(0 - (uint64_t)a) : e->op == OP_BNOT ? ~a
		   : e->op == OP_NOT ? !a : a;
		return e->op == OP_NEG || e->op == OP_BNOT || e->op == OP_NOT || e->op == OP_PLUS;
	case AST_BINARY:
		if (!const_value(c, e->a, &a) || !const_value(c, e->b, &b))
			return false;
		switch (e->op) {
		case OP_ADD: *v = (int64_t)((uint64_t)a + (uint64_t)b); return true;
		case OP_SUB: *v = (int64_t)((uint64_t)a - (uint64_t)b); return true;
		case OP_MUL: *v = (int64_t)((uint64_t)a * (uint64_t)b); return true;
		case OP_DIV:
		case OP_MOD: /* INT64_MIN / -1 overflows, and C traps (SIGFPE) */
			if (b == 0 || (a == INT64_MIN && b == -1))
				return false;
			*v = e->op == OP_DIV ? a / b : a % b;
			return true;
		case OP_SHL: *v = (int64_t)((uint64_t)a << (b & 63)); return true;
		case OP_SHR: *v = a >> (b & 63); return true;
		case OP_BOR: *v = a | b; return true;
		case OP_BAND: *v = a & b; return true;
		case OP_BXOR: *v = a ^ b; return true;
		default: return false;
		}
	case AST_CALL: /* sizeof(type) */
		if (!strcmp(e->name, "sizeof") && e->list.count == 1 && e->list.items[0]->kind == AST_TYPE) {
			const struct eq_type *t = ctypes_resolve(c, e->list.items[0]);
			*v = t ? t->size : 0;
			return t != NULL;
		}
		return false;
	default:
		return false;
	}
}

/* ---- definitions ------------------------------------------------------------------ */

static const struct eq_type *define_record(struct ctypes *c, const struct ast *def);
static const struct eq_type *define_enum(struct ctypes *c, const struct ast *def);

/* A named struct/union/enum the script uses before (or without) defining it. */
static struct named_type *declared(struct ctypes *c, const char *name, bool is_union)
{
	struct named_type *n = script_type(c, name);
	if (n)
		return n;
	struct eq_type *t = ARENA_NEW(c->arena, struct eq_type);
	*t = (struct eq_type){.kind = TY_RECORD, .name = name, .is_union = is_union,
			      .incomplete = true, .align = 1};
	struct named_type nt = {name, t, {0, 0, 0}, false};
	ARENA_PUSH(c->arena, c->names, nt);
	return &c->names.items[c->names.count - 1];
}

const struct eq_type *ctypes_resolve_for(struct ctypes *c, const struct ast *type, bool user)
{
	const struct eq_type *t;
	if (type->a && type->a->kind == AST_RECORD)
		t = define_record(c, type->a);
	else if (type->a && type->a->kind == AST_ENUM)
		t = define_enum(c, type->a);
	else if (!(t = ctypes_lookup_for(c, type->name, user))) {
		bool is_record = !strncmp(type->name, "struct ", 7) || !strncmp(type->name, "union ", 6);
		if (is_record && type->ival > 0 && c->defining) /* a pointer to a struct defined later */
			t = declared(c, type->name, type->name[0] == 'u')->type;
		else {
			error(c, type->loc, ctypes_kernel(c) ? "unknown type '%s': neither the kernel's BTF "
			      "nor the script defines it" : "unknown type '%s': the script does not define "
			      "it, and this kernel has no BTF to look it up in", type->name);
			return NULL;
		}
	}
	for (int64_t i = 0; i < type->ival; i++)
		t = ty_ptr(c->arena, t, SPACE_NONE);
	return t;
}

const struct eq_type *ctypes_resolve(struct ctypes *c, const struct ast *type)
{
	return ctypes_resolve_for(c, type, false);
}

static uint32_t round_up(uint32_t n, uint32_t align)
{
	return align ? (n + align - 1) / align * align : n;
}

/* A member's type: its declarator's type with the array dimensions. */
static const struct eq_type *member_type(struct ctypes *c, const struct ast *decl)
{
	c->defining++;
	const struct eq_type *t = ctypes_resolve_for(c, decl->a, true);
	c->defining--;
	for (int i = decl->list.count - 1; t && i >= 0; i--) {
		int64_t n;
		if (!const_value(c, decl->list.items[i], &n) || n < 0 || n > (1 << 24)) {
			error(c, decl->list.items[i]->loc, "an array's size must be a constant from 0 "
			      "up");
			return NULL;
		}
		t = ty_array(c->arena, t, (uint32_t)n);
	}
	if (t && t->kind == TY_RECORD && t->incomplete) {
		error(c, decl->loc, "%s is only declared here, not defined: a member of it cannot be "
		      "stored by value (a pointer to it can)", t->name);
		return NULL;
	}
	return t;
}

/* Where the layout of a record stands while its members are placed. */
struct layout {
	uint32_t bits;  /* the next free bit */
	uint32_t align;
	uint32_t size;  /* unions: the largest member */
};

/* A bit-field of width w and type t: into the current storage unit of t
 * if it fits, else at the next one (SysV / AAPCS64); width 0 ends the unit. */
static bool place_bitfield(struct ctypes *c, const struct ast *decl, const struct eq_type *t,
			   struct layout *l, bool is_union, struct ty_field *f)
{
	int64_t w;
	uint32_t unit = t->size * 8;
	if (t->kind != TY_INT || !const_value(c, decl->b, &w) || w < 0 || w > unit) {
		error(c, decl->b->loc, "a bit-field is an integer type with a constant width of at most "
		      "its type's bits");
		return false;
	}
	if (!w && decl->name) {
		error(c, decl->b->loc, "a bit-field of width 0 has no name (it only ends a unit)");
		return false;
	}
	uint32_t at = is_union ? 0 : l->bits;
	if (w == 0) {
		l->bits = round_up(l->bits, unit);
		return false;
	}
	if (at / unit != (at + (uint32_t)w - 1) / unit)
		at = round_up(at, unit); /* would straddle its unit: the next one */
	*f = (struct ty_field){.type = t, .offset = at / 8, .name = decl->name, .bit_offset = at,
			       .bit_size = (uint8_t)w};
	if (!is_union)
		l->bits = at + (uint32_t)w;
	if (decl->name && t->align > l->align)
		l->align = t->align; /* an unnamed bit-field does not align its record */
	if (round_up((uint32_t)w, 8) / 8 > l->size)
		l->size = round_up((uint32_t)w, 8) / 8;
	return decl->name != NULL;
}

static void check_duplicate(struct ctypes *c, const struct ty_field *fields, int n,
			    const struct ast *decl)
{
	for (int i = 0; decl->name && i < n; i++)
		if (fields[i].name && !strcmp(fields[i].name, decl->name))
			error(c, decl->loc, "duplicate member '%s' in this struct", decl->name);
}

static void lay_out(struct ctypes *c, const struct ast *def, struct eq_type *rec)
{
	bool is_union = def->ival & RECORD_UNION;
	struct layout l = {0, 1, 0};
	struct ty_field *fields = ARENA_ARRAY(c->arena, struct ty_field, def->list.count + 1);
	int n = 0;
	for (int i = 0; i < def->list.count; i++) {
		const struct ast *decl = def->list.items[i];
		const struct eq_type *t = member_type(c, decl);
		if (!t)
			continue;
		check_duplicate(c, fields, n, decl);
		if (decl->b) {
			if (place_bitfield(c, decl, t, &l, is_union, &fields[n]))
				n++;
			continue;
		}
		if (!decl->name && t->kind != TY_RECORD) {
			error(c, decl->loc, "a member needs a name (only a struct or union can be anonymous)");
			continue;
		}
		uint32_t align = t->align ? t->align : 1;
		uint32_t at = is_union ? 0 : round_up(round_up(l.bits, 8) / 8, align);
		fields[n++] = (struct ty_field){.type = t, .offset = at, .name = decl->name,
						.bit_offset = at * 8};
		if (!is_union)
			l.bits = (at + t->size) * 8;
		if (t->size > l.size)
			l.size = t->size;
		if (align > l.align)
			l.align = align;
	}
	uint32_t end = is_union ? l.size : round_up(l.bits, 8) / 8;
	rec->fields = fields;
	rec->nfields = n;
	rec->align = l.align;
	rec->size = round_up(end, l.align);
	rec->incomplete = false;
}

static const struct eq_type *define_record(struct ctypes *c, const struct ast *def)
{
	bool is_union = def->ival & RECORD_UNION;
	struct eq_type *rec;
	if (def->name) {
		struct named_type *n = declared(c, def->name, is_union);
		if (!(def->ival & RECORD_BODY))
			return n->type;
		if (n->defined.line) {
			error(c, def->loc, "%s is defined twice in this script", def->name);
			return n->type;
		}
		n->defined = def->loc;
		n->defined_in = c->diag->src;
		rec = n->type;
	} else {
		rec = ARENA_NEW(c->arena, struct eq_type);
		*rec = (struct eq_type){.kind = TY_RECORD, .is_union = is_union};
	}
	lay_out(c, def, rec);
	return rec;
}

static const struct eq_type *define_enum(struct ctypes *c, const struct ast *def)
{
	int64_t next = 0;
	bool after_max = false; /* the previous enumerator was INT64_MAX: the next one has no value */
	for (int i = 0; i < def->list.count; i++) {
		const struct ast *e = def->list.items[i];
		if (e->a && !const_value(c, e->a, &next))
			error(c, e->a->loc, "an enumerator's value must be a constant");
		else if (!e->a && after_max)
			error(c, e->loc, "enumerator %s's value overflows a 64-bit integer", e->name);
		after_max = next == INT64_MAX;
		struct enumerator en = {e->name, next};
		next = (int64_t)((uint64_t)next + 1);
		ARENA_PUSH(c->arena, c->enumerators, en);
	}
	struct eq_type t = *ty_int(c->arena, 4, true);
	t.name = def->name ? def->name : "enum (anonymous)";
	const struct eq_type *type = ty_new(c->arena, t);
	if (def->name && !script_type(c, def->name)) {
		struct named_type nt = {def->name, (struct eq_type *)type, def->loc, false};
		ARENA_PUSH(c->arena, c->names, nt);
	}
	return type;
}

static void define_typedef(struct ctypes *c, const struct ast *def)
{
	const struct ast *decl = def->a;
	const struct eq_type *t = member_type(c, decl);
	if (!t || !decl->name)
		return;
	if (script_type(c, decl->name)) {
		error(c, decl->loc, "typedef %s is defined twice in this script", decl->name);
		return;
	}
	struct eq_type *copy = ARENA_NEW(c->arena, struct eq_type);
	*copy = *t;
	struct named_type nt = {decl->name, copy, decl->loc, false};
	ARENA_PUSH(c->arena, c->names, nt);
}

static void include_file(struct ctypes *c, const struct ast *inc, const char *script);

int ctypes_define(struct ctypes *c, const struct ast *definitions, const char *script)
{
	int before = c->errors;
	for (int i = 0; definitions && i < definitions->list.count; i++) {
		const struct ast *def = definitions->list.items[i];
		if (def->kind == AST_INCLUDE) {
			include_file(c, def, script);
			continue;
		}
		if (def->kind == AST_RECORD)
			define_record(c, def);
		else if (def->kind == AST_ENUM)
			define_enum(c, def);
		else if (def->kind == AST_TYPEDEF)
			define_typedef(c, def);
		else if (def->kind == AST_TYPE) /* `int;` and the like: declares nothing */
			ctypes_resolve(c, def);
	}
	return c->errors - before;
}

/* #include "file": its definitions, as if written here.  #include <header>:
 * the kernel's types come from BTF; without BTF there is nothing to read
 * them from. */
static void include_file(struct ctypes *c, const struct ast *inc, const char *script)
{
	if (inc->op == OP_LT) {
		if (!ctypes_kernel(c))
			error(c, inc->loc, "#include <%s> needs the kernel's BTF (/sys/kernel/btf/vmlinux), "
			      "which this kernel does not have: define the types the script needs in it",
			      inc->str);
		return;
	}
	char path[4096];
	const char *slash = script ? strrchr(script, '/') : NULL;
	if (inc->str[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", inc->str);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - script), script, inc->str);
	FILE *f = c->include_depth < 8 ? fopen(path, "rb") : NULL;
	if (!f) {
		diag_error(c->diag, inc->loc, "cannot read #include \"%s\": %s", inc->str,
			   c->include_depth < 8 ? strerror(errno) : "included too deeply");
		c->errors++;
		return;
	}
	struct eq_source *src = ARENA_NEW(c->arena, struct eq_source);
	src->file = arena_strdup(c->arena, path);
	char *text = NULL;
	size_t cap = 0, n = 0, got;
	char chunk[4096];
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n + got + 1 > cap) {
			cap = 2 * (n + got + 1);
			text = realloc(text, cap);
			if (!text)
				abort();
		}
		memcpy(text + n, chunk, got);
		n += got;
	}
	fclose(f);
	src->text = arena_strndup(c->arena, text ? text : "", n);
	src->len = n;
	free(text);
	/* the header's errors name the header */
	struct eq_diag diag = *c->diag;
	diag.src = src;
	diag.errors = 0;
	const struct ast *defs = parse_header(src, c->arena, &diag);
	c->include_depth++;
	struct eq_diag *outer = c->diag;
	c->diag = &diag;
	if (!diag.errors)
		ctypes_define(c, defs, src->file);
	c->diag = outer;
	c->include_depth--;
	c->errors += diag.errors;
	outer->errors += diag.errors;
}
