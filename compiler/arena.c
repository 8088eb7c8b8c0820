/* arena.c - bump allocator; see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

enum { ARENA_CHUNK_MIN = 64 * 1024 };

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t want = size > ARENA_CHUNK_MIN ? size : ARENA_CHUNK_MIN;
		c = malloc(sizeof(*c) + want);
		if (!c) {
			fputs("ebpfq: out of memory\n", stderr);
			abort();
		}
		c->next = a->head;
		c->used = 0;
		c->size = want;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_grow(struct arena *a, void **items, int *cap, int count, size_t elem_size)
{
	if (count < *cap)
		return;
	int ncap = *cap ? *cap * 2 : 8;
	void *n = arena_alloc(a, elem_size * (size_t)ncap);
	if (count)
		memcpy(n, *items, elem_size * (size_t)count);
	*items = n;
	*cap = ncap;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}
