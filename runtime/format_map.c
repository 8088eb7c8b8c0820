/* format_map.c - maps as the user reads them, in bpftrace 0.17's layout:
 *
 *   @name[k1, k2]: value        one line per entry, sorted by value
 *   @h[k]:                      histograms: a line for the key, then rows,
 *   [4, 8)     1 |@@@@@...|     an empty line between two keys
 *   @s: count 2, average 3, total 7
 *
 * after every map a newline (two after stats and averages), so an empty map
 * prints an empty line, as bpftrace's does.  print(@m, top, div) shows the
 * `top` greatest entries with values divided by `div`.  -f json goes to
 * format_json.c.  Also clear() and zero(), which act on the kernel's map. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* The value of a numeric entry, divided by div where bpftrace divides. */
void entry__print_number(FILE *out, const struct eq_map *m, const struct map_entry *e, uint32_t div)
{
	bool is_signed = m->value_field.is_signed && m->value_kind != EQ_VALUE_COUNT;
	if (m->value_kind == EQ_VALUE_STATS)
		fprintf(out, "count %" PRId64 ", average %" PRId64 ", total %" PRId64, e->count, e->number,
			e->total);
	else if (is_signed)
		fprintf(out, "%" PRId64, e->number / (int64_t)div);
	else
		fprintf(out, "%" PRIu64, (uint64_t)e->number / div);
}

/* One entry's value, text. */
static void entry__print(FILE *out, const struct eq_map *m, const struct map_entry *e, uint32_t div)
{
	if (map__is_hist(m))
		hist__print(out, m, e->buckets, div);
	else if (m->value_kind == EQ_VALUE_STR || m->value_kind == EQ_VALUE_COMPOSITE)
		value__print(out, &m->value_field, e->value, false);
	else
		entry__print_number(out, m, e, div);
}

/* The first entry shown when only the `top` greatest are. */
int map_view__first_shown(const struct map_view *v, uint32_t top)
{
	return top && (uint32_t)v->count > top ? v->count - (int)top : 0;
}

static void print_text(FILE *out, const struct map_view *v, uint32_t top, uint32_t div)
{
	const struct eq_map *m = v->m;
	bool hist = map__is_hist(m);
	bool stats = m->value_kind == EQ_VALUE_STATS || m->value_kind == EQ_VALUE_AVG;
	for (int i = map_view__first_shown(v, top); i < v->count; i++) {
		if (i > map_view__first_shown(v, top))
			fputc('\n', out); /* between entries; a histogram's rows end in one already */
		fputs(m->name, out);
		if (m->has_key) {
			fputc('[', out);
			key__print(out, m, v->entries[i].key, false);
			fputc(']', out);
		}
		fputs(hist ? ": \n" : ": ", out);
		entry__print(out, m, &v->entries[i], div);
	}
	fputs(stats ? "\n\n" : "\n", out);
}

void map__print(struct eq_session *s, int map, uint32_t top, uint32_t div)
{
	struct map_view v;
	FILE *out = s->opts.out;
	const struct eq_map *m = &s->img->maps[map];
	if (!div)
		div = 1;
	if (m->value_kind == EQ_VALUE_STATS)
		top = 0, div = 1; /* bpftrace ignores both for stats (the compiler warns) */
	if (map_view__read(s, map, &v) == 0) {
		if (s->opts.format == EQ_FORMAT_JSON)
			json__map(out, &v, top, div);
		else
			print_text(out, &v, top, div);
	}
	session__flush(s);
	map_view__free(&v);
}

/* print(@m[key]): the value alone, as a value is printed. */
void map__print_entry(struct eq_session *s, int map, const unsigned char *key)
{
	const struct eq_map *m = &s->img->maps[map];
	struct map_view v;
	if (map_view__read_key(s, map, key, &v) == 0) {
		FILE *out = s->opts.out;
		bool json = s->opts.format == EQ_FORMAT_JSON;
		if (json)
			fputs("{\"type\": \"value\", \"data\": ", out);
		if (!v.count)
			fputs(json ? "null" : "", out);
		else if (json)
			json__entry(out, m, &v.entries[0], 1);
		else
			entry__print(out, m, &v.entries[0], 1);
		if (json)
			fputs("}\n", out);
		else if (!map__is_hist(m) || !v.count)
			fputc('\n', out);
	}
	session__flush(s);
	map_view__free(&v);
}

/* clear(@m): hashes lose their entries; arrays (which cannot) are zeroed. */
void map__clear(struct eq_session *s, int map)
{
	const struct eq_map *m = &s->img->maps[map];
	int fd = s->map_fds[map];
	s->zeroed[map] = false;
	if (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		void *zero = calloc(1, map__value_bytes(s, m));
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

/* zero(@m): every entry stays, with its value zeroed (a key-less
 * aggregation is then printed as 0, as bpftrace prints it). */
void map__zero(struct eq_session *s, int map)
{
	const struct eq_map *m = &s->img->maps[map];
	int fd = s->map_fds[map];
	void *zero = calloc(1, map__value_bytes(s, m));
	unsigned char *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	for (bool first = true; zero && key && next &&
	     !bpf_map_get_next_key(fd, first ? NULL : key, next); first = false) {
		memcpy(key, next, m->key_size);
		bpf_map_update_elem(fd, key, zero, BPF_EXIST);
	}
	s->zeroed[map] = true;
	free(zero);
	free(key);
	free(next);
}

/* delete(@h[key]) of a histogram: every bucket of the key. */
void map__delete_entry(struct eq_session *s, int map, const unsigned char *key)
{
	const struct eq_map *m = &s->img->maps[map];
	unsigned char *full = calloc(1, m->key_size);
	uint32_t ksize = m->key_size - 8;
	for (int b = 0; full && b < map__buckets(m); b++) {
		uint64_t bucket = (uint64_t)b;
		memcpy(full, key, ksize);
		memcpy(full + ksize, &bucket, 8);
		bpf_map_delete_elem(s->map_fds[map], full);
	}
	free(full);
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
		map__print(s, order[i], 0, 1);
	free(order);
}
