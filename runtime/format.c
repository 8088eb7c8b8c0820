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

/* One conversion: spec is "%[flags][width][.prec]" without the letter. */
static void convert(FILE *out, const char *spec, char conv, const struct eq_arg *a,
		    const void *rec, uint32_t rec_size)
{
	char f[48];
	if (a->kind == EQ_ARG_CONST || (conv == 's' && a->kind == EQ_ARG_STR)) {
		const char *text = a->text;
		int len;
		if (a->kind == EQ_ARG_CONST) {
			len = (int)strlen(text);
		} else {
			text = (const char *)rec + a->offset;
			len = (int)strnlen(text, a->offset + a->size <= rec_size ? a->size : 0);
		}
		/* the user's precision still applies: take the shorter */
		const char *dot = strchr(spec, '.');
		if (dot && atoi(dot + 1) < len)
			len = atoi(dot + 1);
		snprintf(f, sizeof(f), "%.*s.*s", (int)(dot ? dot - spec : (long)strlen(spec)), spec);
		fprintf(out, f, len, text);
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
		snprintf(f, sizeof(f), "%s#llx", spec);
		fprintf(out, f, (unsigned long long)v);
	} else if (conv == 's') {
		fprintf(out, "%" PRId64, v); /* the compiler refuses this; never crash */
	} else {
		snprintf(f, sizeof(f), "%sll%c", spec, conv == 'i' ? 'd' : conv);
		fprintf(out, f, (long long)v);
	}
}

void fmt_printf(FILE *out, const struct eq_output *o, const void *rec, uint32_t rec_size)
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
		n += strspn(p + n, "lhzj");
		char conv = p[n];
		if (!conv || !strchr("diuxXocsp", conv) || arg >= o->nargs) {
			fputs(p, out); /* a format the compiler would refuse: print it as it is */
			return;
		}
		convert(out, spec, conv, &o->args[arg++], rec, rec_size);
		p += n + 1;
	}
}

void json__string(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* ---- maps ----------------------------------------------------------------- */

struct entry {
	unsigned char *key;
	int64_t value;      /* integer kinds */
	const char *text;   /* EQ_VALUE_STR */
};

struct map_view {
	const struct eq_map *m;
	struct entry *entries;
	int count;
};

static int64_t entry_value(const struct eq_session *s, const struct eq_map *m, const unsigned char *v)
{
	if (!m->is_percpu)
		return read_int(v, m->value_field.offset, 8, m->value_field.is_signed);
	int64_t sum = 0;
	size_t stride = (m->value_size + 7) & ~7u;
	for (int cpu = 0; cpu < s->ncpus; cpu++)
		sum += read_int(v + stride * (size_t)cpu, 0, 8, true);
	return sum;
}

static int by_value(const void *a, const void *b, void *arg)
{
	const struct entry *x = a, *y = b;
	const struct eq_map *m = arg;
	if (m->value_kind == EQ_VALUE_STR) {
		int c = strcmp(x->text, y->text);
		return c ? c : memcmp(x->key, y->key, m->key_size);
	}
	bool is_unsigned = m->value_kind == EQ_VALUE_COUNT;
	if (x->value != y->value) {
		if (is_unsigned)
			return (uint64_t)x->value < (uint64_t)y->value ? -1 : 1;
		return x->value < y->value ? -1 : 1;
	}
	return memcmp(x->key, y->key, m->key_size);
}

static void view_free(struct map_view *v)
{
	for (int i = 0; i < v->count; i++) {
		free(v->entries[i].key);
		free((char *)v->entries[i].text);
	}
	free(v->entries);
}

/* Every entry of the map, sorted as bpftrace prints them. */
static int view_read(struct eq_session *s, int map, struct map_view *v)
{
	const struct eq_map *m = &s->img->maps[map];
	int fd = s->map_fds[map];
	size_t vsize = m->is_percpu ? ((m->value_size + 7) & ~7u) * (size_t)s->ncpus : m->value_size;
	unsigned char *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	unsigned char *value = calloc(1, vsize);
	int cap = 0;
	*v = (struct map_view){.m = m};
	bool first = true;
	while (key && next && value && !bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, m->key_size);
		if (bpf_map_lookup_elem(fd, key, value))
			continue; /* deleted meanwhile */
		struct entry e = {.value = entry_value(s, m, value)};
		if (m->value_kind == EQ_VALUE_STR)
			e.text = strndup((const char *)value, m->value_size);
		if (m->is_percpu && !m->has_key && e.value == 0)
			continue; /* a key-less count() or sum() still at zero: nothing to show */
		if (v->count == cap) {
			cap = cap ? cap * 2 : 64;
			v->entries = realloc(v->entries, sizeof(*v->entries) * (size_t)cap);
		}
		e.key = malloc(m->key_size);
		memcpy(e.key, key, m->key_size);
		v->entries[v->count++] = e;
	}
	free(key);
	free(next);
	free(value);
	if (v->count)
		qsort_r(v->entries, (size_t)v->count, sizeof(*v->entries), by_value, (void *)m);
	return v->count;
}

static void print_key(FILE *out, const struct eq_map *m, const unsigned char *key, bool json)
{
	for (int i = 0; i < m->nkey_fields; i++) {
		const struct eq_field *f = &m->key_fields[i];
		if (i)
			fputs(json ? "," : ", ", out);
		if (f->kind == EQ_FIELD_STR)
			fprintf(out, "%.*s", (int)strnlen((const char *)key + f->offset, f->size),
				(const char *)key + f->offset);
		else if (f->is_signed)
			fprintf(out, "%" PRId64, read_int(key, f->offset, f->size, true));
		else
			fprintf(out, "%" PRIu64, (uint64_t)read_int(key, f->offset, f->size, false));
	}
}

static void print_value(FILE *out, const struct eq_map *m, const struct entry *e, bool json)
{
	if (m->value_kind == EQ_VALUE_STR && json)
		json__string(out, e->text, strlen(e->text));
	else if (m->value_kind == EQ_VALUE_STR)
		fputs(e->text, out);
	else if (m->value_kind == EQ_VALUE_COUNT)
		fprintf(out, "%" PRIu64, (uint64_t)e->value);
	else
		fprintf(out, "%" PRId64, e->value);
}

static void print_json(FILE *out, const struct map_view *v)
{
	const struct eq_map *m = v->m;
	fputs("{\"type\": \"map\", \"data\": {", out);
	json__string(out, m->name, strlen(m->name));
	fputs(": ", out);
	if (!m->has_key && v->count) {
		print_value(out, m, &v->entries[0], true);
	} else {
		fputc('{', out);
		for (int i = 0; i < v->count; i++) {
			char *k = NULL;
			size_t klen = 0;
			FILE *ks = open_memstream(&k, &klen);
			print_key(ks, m, v->entries[i].key, true);
			fclose(ks);
			fputs(i ? ", " : "", out);
			json__string(out, k, klen);
			fputs(": ", out);
			print_value(out, m, &v->entries[i], true);
			free(k);
		}
		fputc('}', out);
	}
	fputs("}}\n", out);
}

void map__print(struct eq_session *s, int map)
{
	struct map_view v;
	FILE *out = s->opts.out;
	if (view_read(s, map, &v) == 0) {
		view_free(&v);
		return;
	}
	if (s->opts.format == EQ_FORMAT_JSON) {
		print_json(out, &v);
	} else {
		for (int i = 0; i < v.count; i++) {
			fputs(v.m->name, out);
			if (v.m->has_key) {
				fputc('[', out);
				print_key(out, v.m, v.entries[i].key, false);
				fputc(']', out);
			}
			fputs(": ", out);
			print_value(out, v.m, &v.entries[i], false);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	fflush(out);
	view_free(&v);
}

/* clear(@m): hashes lose their entries; arrays (which cannot) are zeroed. */
void map__clear(struct eq_session *s, int map)
{
	const struct eq_map *m = &s->img->maps[map];
	int fd = s->map_fds[map];
	if (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		size_t vsize = m->is_percpu ? ((m->value_size + 7) & ~7u) * (size_t)s->ncpus : m->value_size;
		void *zero = calloc(1, vsize);
		for (uint32_t k = 0; zero && k < m->max_entries; k++)
			bpf_map_update_elem(fd, &k, zero, BPF_ANY);
		free(zero);
		return;
	}
	unsigned char *key = calloc(1, m->key_size);
	while (key && !bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
	free(key);
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct eq_map *maps = arg;
	return strcmp(maps[*(const int *)a].name, maps[*(const int *)b].name);
}

/* At exit, maps print in name order, as bpftrace prints them. */
void maps__print_all(struct eq_session *s)
{
	const struct eq_image *img = s->img;
	int *order = malloc(sizeof(int) * ((size_t)img->nmaps + 1)), n = 0;
	for (int i = 0; order && i < img->nmaps; i++)
		if (img->maps[i].role == EQ_MAP_USER)
			order[n++] = i;
	if (order && n)
		qsort_r(order, (size_t)n, sizeof(int), by_name, (void *)img->maps);
	for (int i = 0; i < n; i++)
		map__print(s, order[i]);
	free(order);
}
