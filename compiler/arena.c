/* arena.c - bump allocator; see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* Chunks double from 64 KiB to 8 MiB: a short script's compile touches one
 * or two small ones, and a long probe's tens of megabytes come in few big
 * ones.  They are mapped, not malloc'ed: fresh pages are zero, so memory is
 * never cleared twice, and the big ones may be backed by huge pages, each
 * one page fault instead of 512 (page faults were a fifth of compiling a
 * 4,000-statement probe: bench/compiletime.sh). */
enum { ARENA_CHUNK_MIN = 64 * 1024, ARENA_CHUNK_MAX = 8 * 1024 * 1024 };

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t want = c && c->size < ARENA_CHUNK_MAX ? 2 * (sizeof(*c) + c->size) : ARENA_CHUNK_MIN;
		if (c && want > ARENA_CHUNK_MAX)
			want = ARENA_CHUNK_MAX;
		if (want < sizeof(*c) + size)
			want = sizeof(*c) + size;
		void *m = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			fputs("ebpfq: out of memory\n", stderr);
			abort();
		}
		if (want >= ARENA_CHUNK_MAX)
			(void)madvise(m, want, MADV_HUGEPAGE);
		c = m;
		c->next = a->head;
		c->used = 0;
		c->size = want - sizeof(*c);
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
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
		munmap(c, sizeof(*c) + c->size);
		c = next;
	}
	a->head = NULL;
}
