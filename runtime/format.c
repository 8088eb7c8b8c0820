/* format.c - what the user reads: printf records, maps in bpftrace's
 * layout (`@name[key]: value`, sorted by value), and -f json. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* ---- printf ---------------------------------------------------------------- */

static int64_t read_int(const void *rec, uint32_t offset, uint32_t size, bool is_signed)
{
	const unsigned char *p = (const unsigned char *)rec + offset;
	switch (size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); return is_signed ? (int8_t)v : v; }
	case 2: { uint16_t v; memcpy(&v, p, 2); return is_signed ? (int16_t)v : v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return is_signed ? (int64_t)(int32_t)v : (int64_t)v; }
	default: { int64_t v; memcpy(&v, p, 8); return v; }
	}
}

/* A stack or a symbol as text (malloc'd; NULL if there is no memory).  A
 * stack's frames are indented by `indent` spaces.  Without a session
 * there are no symbols: the raw number. */
static char *symbolic_text(struct eq_session *s, const struct eq_field *f, const unsigned char *p,
			   int indent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return NULL;
	if (s) {
		symbolic__print(mem, s, f, p, indent);
	} else if (f->kind == EQ_FIELD_TEXT) {
		render__text(mem, NULL, f, p);
	} else {
		int64_t v;
		memcpy(&v, p, 8);
		fprintf(mem, "%" PRId64, v);
	}
	fclose(mem);
	return text;
}

/* One conversion: spec is "%[flags][width][.prec]" without the letter. */
static void convert(FILE *out, struct eq_session *s, const char *spec, char conv, const struct eq_arg *a,
		    const void *rec, uint32_t rec_size)
{
	char f[48];
	bool fits = a->offset + a->size <= rec_size;
	if (a->kind == EQ_ARG_CONST || (conv == 's' && a->kind == EQ_ARG_STR) ||
	    (a->kind == EQ_ARG_FIELD && fits)) {
		const char *text = a->text;
		char *owned = NULL;
		int len;
		if (a->kind == EQ_ARG_CONST) {
			len = (int)strlen(text);
		} else if (a->kind == EQ_ARG_FIELD) {
			text = owned = symbolic_text(s, &a->field, (const unsigned char *)rec + a->offset, 8);
			len = text ? (int)strlen(text) : 0;
		} else {
			text = (const char *)rec + a->offset;
			len = (int)strnlen(text, fits ? a->size : 0);
		}
		/* the user's precision still applies: take the shorter */
		const char *dot = strchr(spec, '.');
		if (dot && atoi(dot + 1) < len)
			len = atoi(dot + 1);
		snprintf(f, sizeof(f), "%.*s.*s", (int)(dot ? dot - spec : (long)strlen(spec)), spec);
		fprintf(out, f, len, text ? text : "");
		free(owned);
		return;
	}
	if (a->kind != EQ_ARG_INT || a->offset + a->size > rec_size) {
		fputs("?", out);
		return;
	}
	int64_t v = read_int(rec, a->offset, a->size, a->is_signed);
	if (conv == 'c') {
		snprintf(f, sizeof(f), "%sc", spec);
		fprintf(out, f, (int)(unsigned char)v);
	} else if (conv == 'p') {
		/* C's own %p, as bpftrace prints it: 0x1000, (nil) for 0, the
		 * width and flags where C puts them */
		snprintf(f, sizeof(f), "%sp", spec);
		fprintf(out, f, (void *)(uintptr_t)v);
	} else if (conv == 's') {
		fprintf(out, "%" PRId64, v); /* the compiler refuses this; never crash */
	} else {
		snprintf(f, sizeof(f), "%sll%c", spec, conv == 'i' ? 'd' : conv);
		fprintf(out, f, (long long)v);
	}
}

void fmt_printf(FILE *out, struct eq_session *s, const struct eq_output *o, const void *rec,
		uint32_t rec_size)
{
	const char *p = o->fmt;
	int arg = 0;
	while (*p) {
		if (*p != '%') {
			size_t n = strcspn(p, "%");
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		if (p[1] == '%') {
			fputc('%', out);
			p += 2;
			continue;
		}
		size_t n = 1 + strspn(p + 1, "-+ #0");
		n += strspn(p + n, "0123456789");
		if (p[n] == '.')
			n += 1 + strspn(p + n + 1, "0123456789");
		char spec[32];
		snprintf(spec, sizeof(spec), "%.*s", (int)(n < 31 ? n : 31), p);
		n += strspn(p + n, "lhzjt");
		char conv = p[n];
		if (!conv || !strchr("diuxXocspr", conv) || arg >= o->nargs) {
			fputs(p, out); /* a format the compiler would refuse: print it as it is */
			return;
		}
		convert(out, s, spec, conv, &o->args[arg++], rec, rec_size);
		p += n + 1;
	}
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
size_t utf8_length(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 && p[0] >= 0xc2 ? 2
		   : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* A JSON string of the n bytes at s (up to a NUL): escapes as bpftrace
 * writes them, and a byte that is not part of valid UTF-8 as \u00XX, so
 * the line is valid JSON whatever the traced program's bytes were. */
void json__string(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	for (size_t i = 0; i < n && p[i];) {
		unsigned char c = p[i];
		size_t len = utf8_length(p + i, n - i);
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || !len)
			fprintf(out, "\\u%04x", c);
		else
			fwrite(p + i, 1, len, out);
		i += len ? len : 1;
	}
	fputc('"', out);
}

/* ---- values ------------------------------------------------------------------ */

static void field__print(FILE *out, struct eq_session *s, const struct eq_field *f,
			 const unsigned char *base, bool json);

/* A bit-field's value: its bytes, shifted and cut, sign-extended if signed. */
static int64_t bitfield_value(const struct eq_field *f, const unsigned char *p)
{
	uint64_t v = 0;
	uint32_t bytes = (f->bit_offset + f->bits + 7) / 8;
	memcpy(&v, p, bytes > 8 ? 8 : bytes);
	v >>= f->bit_offset;
	uint64_t mask = f->bits >= 64 ? ~0ull : (1ull << f->bits) - 1;
	v &= mask;
	if (f->is_signed && f->bits < 64 && (v >> (f->bits - 1)) & 1)
		v |= ~mask;
	return (int64_t)v;
}

/* A struct's members: `.name = value` (text) or `"name": value` (JSON); an
 * anonymous member's members are listed in place. */
static void members__print(FILE *out, struct eq_session *s, const struct eq_field *f,
			   const unsigned char *p, bool json, bool *first)
{
	for (int i = 0; i < f->nelems; i++) {
		const struct eq_field *m = &f->elems[i];
		if (!m->name && m->kind == EQ_FIELD_RECORD) {
			members__print(out, s, m, p + m->offset, json, first);
			continue;
		}
		fputs(*first ? "" : ", ", out);
		*first = false;
		if (json)
			fprintf(out, "\"%s\": ", m->name ? m->name : "");
		else
			fprintf(out, ".%s = ", m->name ? m->name : "");
		if (m->bits)
			fprintf(out, m->is_signed ? "%" PRId64 : "%" PRIu64, bitfield_value(m, p + m->offset));
		else
			field__print(out, s, m, p, json);
	}
}

/* A stack or a symbol, as text or a JSON string. */
static void symbolic__field(FILE *out, struct eq_session *s, const struct eq_field *f,
			    const unsigned char *p, int indent, bool json)
{
	if (!json && s) { /* straight out: a big map of stacks prints a line per frame */
		symbolic__print(out, s, f, p, indent);
		return;
	}
	char *text = symbolic_text(s, f, p, indent);
	if (json)
		json__string(out, text ? text : "", text ? strlen(text) : 0);
	else
		fputs(text ? text : "", out);
	free(text);
}

static void field__print(FILE *out, struct eq_session *s, const struct eq_field *f,
			 const unsigned char *base, bool json)
{
	const unsigned char *p = base + f->offset;
	if (f->kind == EQ_FIELD_STACK || f->kind == EQ_FIELD_SYMBOL || f->kind == EQ_FIELD_TEXT) {
		symbolic__field(out, s, f, p, 8, json);
		return;
	}
	if (f->kind == EQ_FIELD_RECORD) { /* bpftrace's `{ .a = 1, .b = [1,2] }` */
		bool first = true;
		fputs(json ? "{" : "{ ", out);
		members__print(out, s, f, p, json, &first);
		fputs(json ? "}" : " }", out);
		return;
	}
	if (f->kind == EQ_FIELD_ARRAY) {
		uint32_t stride = f->nelems ? f->size / (uint32_t)f->nelems : 0;
		fputc('[', out);
		for (int i = 0; i < f->nelems; i++) {
			fputs(i ? "," : "", out);
			field__print(out, s, &f->elems[0], p + stride * (uint32_t)i, json);
		}
		fputc(']', out);
		return;
	}
	if (f->kind == EQ_FIELD_ADDR) {
		fprintf(out, json ? "%" PRIu64 : "0x%" PRIx64, (uint64_t)read_int(p, 0, 8, false));
		return;
	}
	if (f->kind == EQ_FIELD_STR) {
		size_t n = strnlen((const char *)p, f->size);
		if (json)
			json__string(out, (const char *)p, n);
		else
			fwrite(p, 1, n, out);
	} else if (f->kind == EQ_FIELD_TUPLE) {
		fputc(json ? '[' : '(', out);
		for (int i = 0; i < f->nelems; i++) {
			if (i)
				fputs(json ? "," : ", ", out);
			field__print(out, s, &f->elems[i], p, json);
		}
		fputc(json ? ']' : ')', out);
	} else if (f->is_signed) {
		fprintf(out, "%" PRId64, read_int(p, 0, f->size < 8 ? f->size : 8, true));
	} else {
		fprintf(out, "%" PRIu64, (uint64_t)read_int(p, 0, f->size < 8 ? f->size : 8, false));
	}
}

void value__print(FILE *out, struct eq_session *s, const struct eq_field *f, const void *data,
		  bool json)
{
	field__print(out, s, f, data, json);
}

/* A map key as bpftrace writes it: parts joined by ", " (text) or ","
 * (the JSON key, which the caller quotes); a stack's frames indented by 4. */
void key__print(FILE *out, struct eq_session *s, const struct eq_map *m, const unsigned char *key,
		bool json)
{
	for (int i = 0; i < m->nkey_fields; i++) {
		if (i)
			fputs(json ? "," : ", ", out);
		key_part__print(out, s, &m->key_fields[i], key);
	}
}

void key_part__print(FILE *out, struct eq_session *s, const struct eq_field *f, const unsigned char *key)
{
	if (f->kind == EQ_FIELD_STACK)
		symbolic__field(out, s, f, key + f->offset, 4, false);
	else
		field__print(out, s, f, key, false);
}
