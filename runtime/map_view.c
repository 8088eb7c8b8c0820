/* map_view.c - a user map read out of the kernel, its per-CPU values
 * combined, its entries sorted as bpftrace prints them.
 *
 * Combining follows the per-CPU layouts of compiler/builtins/aggregate.c:
 * counts and sums add up, averages and statistics add counts and totals,
 * min and max take the extreme of the CPUs that saw a value, histograms add
 * each bucket.  A histogram's kernel entries are one per (key, bucket):
 * they are sorted by key and gathered into one entry per key.  All of it is
 * linear-logarithmic in the number of entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own "not supported", seen through bpf() */
#endif

static int64_t read_s64(const unsigned char *p)
{
	int64_t v;
	memcpy(&v, p, 8);
	return v;
}

bool map__is_hist(const struct eq_map *m)
{
	return m->value_kind == EQ_VALUE_HIST || m->value_kind == EQ_VALUE_LHIST;
}

int map__buckets(const struct eq_map *m)
{
	if (m->value_kind == EQ_VALUE_HIST)
		return 65;
	if (m->value_kind == EQ_VALUE_LHIST)
		return (int)(((uint64_t)m->lhist_max - (uint64_t)m->lhist_min) / (uint64_t)m->lhist_step) + 2;
	return 0;
}

/* Bytes of the user's key: a histogram's kernel key has the bucket after it. */
static uint32_t user_key_size(const struct eq_map *m)
{
	if (!m->has_key)
		return 0;
	return map__is_hist(m) ? m->key_size - 8 : m->key_size;
}

/* Bytes of all CPUs' values as a lookup returns them. */
size_t map__value_bytes(const struct eq_session *s, const struct eq_map *m)
{
	size_t one = (m->value_size + 7) & ~7u;
	return m->is_percpu ? one * (size_t)s->ncpus : m->value_size;
}

/* Combine one entry's per-CPU values into e; false if nothing was ever
 * stored in it (a key-less aggregation's array slot still zero). */
static bool combine(const struct eq_session *s, const struct eq_map *m, const unsigned char *v,
		    struct map_entry *e)
{
	if (!m->is_percpu) {
		e->value = v;
		e->number = m->value_kind == EQ_VALUE_INT ? read_s64(v) : 0;
		return true;
	}
	size_t stride = (m->value_size + 7) & ~7u;
	bool seen = false, is_signed = m->value_field.is_signed;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		const unsigned char *p = v + stride * (size_t)cpu;
		int64_t a = read_s64(p), b = m->value_size >= 16 ? read_s64(p + 8) : 0;
		switch (m->value_kind) {
		case EQ_VALUE_AVG: case EQ_VALUE_STATS:
			e->count += a, e->total += b;
			seen = seen || a;
			break;
		case EQ_VALUE_MIN: case EQ_VALUE_MAX: {
			if (!b)
				break;
			bool less = is_signed ? a < e->number : (uint64_t)a < (uint64_t)e->number;
			if (!seen || less == (m->value_kind == EQ_VALUE_MIN))
				e->number = a;
			seen = true;
			break;
		}
		default: /* count, sum, a histogram's bucket */
			e->number = (int64_t)((uint64_t)e->number + (uint64_t)a);
			seen = seen || a;
		}
	}
	if (m->value_kind == EQ_VALUE_AVG || m->value_kind == EQ_VALUE_STATS)
		e->number = e->count ? e->total / e->count : 0;
	return seen;
}

/* ---- sorting ------------------------------------------------------------------ */

/* Keys compare part by part: integers as unsigned 64-bit numbers, strings
 * as strings, as bpftrace's sort_by_key does. */
static int compare_field(const struct eq_field *f, const unsigned char *a, const unsigned char *b)
{
	if (f->kind == EQ_FIELD_STR)
		return strncmp((const char *)a + f->offset, (const char *)b + f->offset, f->size);
	if (f->kind == EQ_FIELD_TUPLE) {
		for (int i = 0; i < f->nelems; i++) {
			int c = compare_field(&f->elems[i], a + f->offset, b + f->offset);
			if (c)
				return c;
		}
		return 0;
	}
	uint64_t x = (uint64_t)read_s64(a + f->offset), y = (uint64_t)read_s64(b + f->offset);
	return x < y ? -1 : x > y;
}

static int compare_keys(const struct eq_map *m, const unsigned char *a, const unsigned char *b)
{
	for (int i = 0; i < m->nkey_fields; i++) {
		int c = compare_field(&m->key_fields[i], a, b);
		if (c)
			return c;
	}
	return 0;
}

/* bpftrace's order: by value where the value is a number (signed unless
 * it is a count or an unsigned sum, min or max), by total count for
 * histograms, by key for strings and tuples; equal values by key. */
static int by_value(const void *pa, const void *pb, void *arg)
{
	const struct map_entry *x = pa, *y = pb;
	const struct eq_map *m = arg;
	bool by_number = m->value_kind != EQ_VALUE_STR && m->value_kind != EQ_VALUE_COMPOSITE;
	if (by_number && x->number != y->number) {
		bool is_unsigned = m->value_kind == EQ_VALUE_COUNT || map__is_hist(m) ||
			(!m->value_field.is_signed && (m->value_kind == EQ_VALUE_SUM ||
			 m->value_kind == EQ_VALUE_MIN || m->value_kind == EQ_VALUE_MAX));
		if (is_unsigned)
			return (uint64_t)x->number < (uint64_t)y->number ? -1 : 1;
		return x->number < y->number ? -1 : 1;
	}
	return compare_keys(m, x->key, y->key);
}

/* ---- reading ------------------------------------------------------------------- */

static struct map_entry *view_add(struct map_view *v)
{
	if (v->count == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		struct map_entry *e = realloc(v->entries, sizeof(*e) * (size_t)v->cap);
		if (!e)
			return NULL;
		v->entries = e;
	}
	struct map_entry *e = &v->entries[v->count++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* A kernel entry of a histogram: its user key, bucket and combined count. */
struct bucket_entry {
	unsigned char *key;
	uint32_t bucket;
	uint64_t count;
};

static int bucket_by_key(const void *pa, const void *pb, void *arg)
{
	const struct bucket_entry *x = pa, *y = pb;
	int c = memcmp(x->key, y->key, *(const uint32_t *)arg);
	return c ? c : (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* Gather (key, bucket) entries into one entry per key with its buckets. */
static int gather_buckets(struct map_view *v, struct bucket_entry *b, int n)
{
	const struct eq_map *m = v->m;
	uint32_t ksize = user_key_size(m);
	int nbuckets = map__buckets(m);
	if (n)
		qsort_r(b, (size_t)n, sizeof(*b), bucket_by_key, &ksize);
	struct map_entry *e = NULL;
	for (int i = 0; i < n; i++) {
		if (!e || memcmp(e->key, b[i].key, ksize)) {
			if (!(e = view_add(v)) || !(e->buckets = calloc((size_t)nbuckets, 8)))
				return -ENOMEM;
			e->key = b[i].key;
			b[i].key = NULL; /* the entry owns it now */
		}
		if ((int)b[i].bucket < nbuckets)
			e->buckets[b[i].bucket] += b[i].count;
		e->number = (int64_t)((uint64_t)e->number + b[i].count);
	}
	return 0;
}


/* One (key, value) the kernel gave: into the view, or a histogram's bucket. */
static int take_entry(struct reading *r, const unsigned char *key, const unsigned char *value)
{
	const struct eq_map *m = r->v->m;
	uint32_t ksize = r->v->key_size;
	struct map_entry e = {0};
	bool seen = combine(r->s, m, value, &e);
	/* a key-less aggregation nothing was added to yet is not shown, but
	 * for count(): bpftrace 0.17 prints a count of nothing, even a cleared
	 * one, as 0 */
	if (!seen && m->is_percpu && !m->has_key && !r->s->zeroed[r->map] &&
	    m->value_kind != EQ_VALUE_COUNT)
		return 0;
	if (map__is_hist(m)) {
		if (r->nb == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			struct bucket_entry *grown = realloc(r->buckets, sizeof(*grown) * (size_t)r->cap);
			if (!grown)
				return -ENOMEM;
			r->buckets = grown;
		}
		uint64_t bucket = 0;
		memcpy(&bucket, key + (m->has_key ? ksize : 0), m->has_key ? 8 : 4);
		struct bucket_entry *b = &r->buckets[r->nb];
		*b = (struct bucket_entry){malloc(ksize + 1), (uint32_t)bucket, (uint64_t)e.number};
		if (!b->key)
			return -ENOMEM;
		memcpy(b->key, key, ksize);
		r->nb++;
		return 0;
	}
	struct map_entry *slot = view_add(r->v);
	if (!slot || !(e.key = malloc(ksize + 1)) ||
	    (!m->is_percpu && !(e.value = memcpy(malloc(m->value_size), value, m->value_size))))
		return -ENOMEM;
	memcpy((unsigned char *)e.key, key, ksize);
	*slot = e;
	return 0;
}

/* Every entry through bpf_map_lookup_batch, MAP_BATCH at a time: one
 * system call per batch instead of two per key (100,000 keys: ~60 ms, not
 * ~400).  Where the kernel has no batches (an old kernel, a map type
 * without them), get_next_key then lookup for each key, MAP_BATCH keys per
 * step all the same, so that a reader that takes the map a step at a time
 * (export.c) holds no more than a step's entries. */
int map_cursor__open(struct eq_session *s, int map, struct map_view *v, struct map_cursor *c)
{
	const struct eq_map *m = &s->img->maps[map];
	*v = (struct map_view){.m = m, .key_size = user_key_size(m)};
	*c = (struct map_cursor){.s = s, .map = map, .fd = s->map_fds[map],
				 .vbytes = map__value_bytes(s, m)};
	size_t token = m->key_size > 8 ? m->key_size : 8;
	/* zeroed: valgrind cannot see the kernel fill them; keys + 8: room for
	 * get_next_key's */
	c->keys = calloc(MAP_BATCH, m->key_size + 8);
	c->values = calloc(MAP_BATCH, c->vbytes);
	c->in = calloc(1, token + 8);
	c->out = calloc(1, token + 8);
	return c->keys && c->values && c->in && c->out ? 0 : -ENOMEM;
}

/* One step by get_next_key and lookup: up to MAP_BATCH keys after c->in. */
static int step_one_by_one(struct map_cursor *c, uint32_t *count)
{
	const struct eq_map *m = &c->s->img->maps[c->map];
	*count = 0;
	while (*count < MAP_BATCH) {
		if (bpf_map_get_next_key(c->fd, c->started ? c->in : NULL, c->out)) {
			c->done = true;
			break;
		}
		c->started = true;
		memcpy(c->in, c->out, m->key_size);
		unsigned char *key = c->keys + (size_t)*count * m->key_size;
		memcpy(key, c->out, m->key_size);
		if (!bpf_map_lookup_elem(c->fd, key, c->values + (size_t)*count * c->vbytes))
			(*count)++; /* else deleted meanwhile */
	}
	return 0;
}

int map_cursor__next(struct map_cursor *c, struct map_view *v)
{
	const struct eq_map *m = &c->s->img->maps[c->map];
	if (c->done)
		return 1;
	uint32_t count = MAP_BATCH;
	int rc = 0;
	if (c->one_by_one) {
		rc = step_one_by_one(c, &count);
	} else {
		size_t token = m->key_size > 8 ? m->key_size : 8;
		int err = bpf_map_lookup_batch(c->fd, c->started ? c->in : NULL, c->out, c->keys,
					       c->values, &count, NULL);
		if (err && errno != ENOENT) {
			if (!c->started && (errno == EINVAL || errno == ENOTSUPP || errno == EOPNOTSUPP)) {
				c->one_by_one = true; /* nothing read yet */
				return map_cursor__next(c, v);
			}
			return -errno;
		}
		c->started = true;
		c->done = err != 0; /* ENOENT: that was the last batch */
		memcpy(c->in, c->out, token);
	}
	struct reading *r = &c->r;
	r->s = c->s, r->map = c->map, r->v = v;
	for (uint32_t i = 0; i < count && !rc; i++)
		rc = take_entry(r, c->keys + (size_t)i * m->key_size, c->values + i * c->vbytes);
	return rc;
}

/* A histogram's (key, bucket) entries gathered into one entry per key. */
static int cursor__gather(struct map_cursor *c, struct map_view *v)
{
	return gather_buckets(v, c->r.buckets, c->r.nb);
}

void map_cursor__close(struct map_cursor *c)
{
	for (int i = 0; i < c->r.nb; i++)
		free(c->r.buckets[i].key);
	free(c->r.buckets);
	free(c->keys);
	free(c->values);
	free(c->in);
	free(c->out);
	*c = (struct map_cursor){0};
}

int map_view__read(struct eq_session *s, int map, struct map_view *v)
{
	struct map_cursor c;
	int rc = map_cursor__open(s, map, v, &c);
	while (!rc)
		rc = map_cursor__next(&c, v);
	if (rc == 1)
		rc = 0;
	if (map__is_hist(v->m) && !rc)
		rc = cursor__gather(&c, v);
	map_cursor__close(&c);
	if (v->count > 1)
		qsort_r(v->entries, (size_t)v->count, sizeof(*v->entries), by_value, (void *)v->m);
	return rc;
}

static int by_key(const void *pa, const void *pb, void *arg)
{
	const struct map_entry *x = pa, *y = pb;
	return compare_keys(arg, x->key, y->key);
}

void map_view__sort_by_key(struct map_view *v)
{
	if (v->count > 1)
		qsort_r(v->entries, (size_t)v->count, sizeof(*v->entries), by_key, (void *)v->m);
}

void map_view__free(struct map_view *v)
{
	for (int i = 0; i < v->count; i++) {
		free((void *)v->entries[i].key);
		if (!v->m->is_percpu)
			free((void *)v->entries[i].value);
		free(v->entries[i].buckets);
	}
	free(v->entries);
	*v = (struct map_view){0};
}

/* One key's entry (print(@m[key])): empty if the key is not in the map. */
int map_view__read_key(struct eq_session *s, int map, const unsigned char *key, struct map_view *v)
{
	const struct eq_map *m = &s->img->maps[map];
	int fd = s->map_fds[map];
	uint32_t ksize = user_key_size(m);
	unsigned char *full = calloc(1, m->key_size + 8), *value = calloc(1, map__value_bytes(s, m));
	*v = (struct map_view){.m = m, .key_size = ksize};
	struct map_entry e = {0};
	int rc = full && value ? 0 : -ENOMEM;
	bool found = false;
	if (!rc && map__is_hist(m)) {
		int n = map__buckets(m);
		e.buckets = calloc((size_t)n, 8);
		for (int b = 0; e.buckets && b < n; b++) {
			uint64_t bucket = (uint64_t)b;
			memcpy(full, key, ksize);
			memcpy(full + (m->has_key ? ksize : 0), &bucket, m->has_key ? 8 : 4);
			struct map_entry one = {0};
			if (!bpf_map_lookup_elem(fd, full, value)) {
				found = combine(s, m, value, &one) || found || m->has_key;
				e.buckets[b] = (uint64_t)one.number;
				e.number += one.number;
			}
		}
	} else if (!rc) {
		memcpy(full, key, m->has_key ? ksize : 4);
		found = !bpf_map_lookup_elem(fd, full, value) &&
			(combine(s, m, value, &e) || !m->is_percpu || m->has_key || s->zeroed[map]);
		if (found && !m->is_percpu && !(e.value = memcpy(malloc(m->value_size), value, m->value_size)))
			rc = -ENOMEM;
	}
	struct map_entry *slot = found && !rc ? view_add(v) : NULL;
	if (slot && (e.key = calloc(1, ksize + 1))) {
		memcpy((unsigned char *)e.key, key, ksize);
		*slot = e;
	} else {
		free(e.buckets);
		if (!m->is_percpu)
			free((void *)e.value);
	}
	free(full);
	free(value);
	return rc;
}
