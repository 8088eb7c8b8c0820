/* arena.c - bump allocator; see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdbool.h>
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

/* Chunks grow four times from 64 KiB to 4 MiB, then stay at 8 MiB: a short
 * script's compile touches one small one, and a long probe's tens of
 * megabytes come in few big ones.  They are mapped, not malloc'ed: fresh
 * pages are zero, so memory is never cleared twice; and from 2 MiB on they
 * are aligned to 2 MiB and asked for huge pages, each one page fault
 * instead of 512 (page faults were a fifth of compiling a 4,000-statement
 * probe, in a VM where each costs microseconds: bench/compiletime.sh). */
enum { ARENA_CHUNK_MIN = 64 * 1024, ARENA_CHUNK_MAX = 8 * 1024 * 1024, HUGE_PAGE = 2 * 1024 * 1024 };

/* `size` bytes of fresh zeroed memory; 2 MiB-aligned and backed by huge
 * pages where the kernel gives them, if size is a multiple of 2 MiB. */
static void *map_chunk(size_t size)
{
	bool huge = size % HUGE_PAGE == 0;
	size_t extra = huge ? HUGE_PAGE : 0; /* room to align within */
	char *m = mmap(NULL, size + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		fputs("ebpfq: out of memory\n", stderr);
		abort();
	}
	if (!huge)
		return m;
	char *aligned = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (aligned > m)
		munmap(m, (size_t)(aligned - m));
	if (aligned + size < m + size + extra)
		munmap(aligned + size, (size_t)(m + size + extra - (aligned + size)));
	(void)madvise(aligned, size, MADV_HUGEPAGE);
	return aligned;
}

/* To the alignment malloc gives: 16 bytes here.  Not sizeof(max_align_t),
 * which is 32 on x86-64: a 112-byte AST node took 128, and a name of a
 * few letters 32 (15% of a long probe's AST). */
static size_t round_up(size_t size)
{
	return (size + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = round_up(size);
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t last = c ? sizeof(*c) + c->size : 0;
		size_t first = a->first_chunk ? a->first_chunk : ARENA_CHUNK_MIN;
		size_t want = !c ? first : last >= ARENA_CHUNK_MAX / 2 ? ARENA_CHUNK_MAX : 4 * last;
		if (want < ARENA_CHUNK_MIN)
			want = ARENA_CHUNK_MIN;
		if (want < sizeof(*c) + size) { /* one big allocation: a chunk of its own */
			want = sizeof(*c) + size;
			/* in huge pages from 2 MiB on (vcheck's pool of 4 KB
			 * states for a probe with a loop: 24 MB, 5,600 faults) */
			if (want >= HUGE_PAGE)
				want = (want + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		}
		c = map_chunk(want);
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
	/* The array last allocated grows where it is, into the chunk's
	 * fresh (zero) room: no copy, and no old array left behind (a long
	 * probe's output buffer and IR blocks left megabytes behind). */
	struct arena_chunk *c = a->head;
	size_t old = round_up(elem_size * (size_t)*cap), grown = round_up(elem_size * (size_t)ncap);
	if (*cap && c && (char *)*items + old == (char *)c->data + c->used && c->size - c->used >= grown - old) {
		c->used += grown - old;
		*cap = ncap;
		return;
	}
	void *n = arena_alloc(a, elem_size * (size_t)ncap);
	if (count)
		memcpy(n, *items, elem_size * (size_t)count);
	*items = n;
	*cap = ncap;
}

void arena_trim(struct arena *a, void *items, int *cap, int count, size_t elem_size)
{
	struct arena_chunk *c = a->head;
	size_t old = round_up(elem_size * (size_t)*cap), kept = round_up(elem_size * (size_t)count);
	if (!c || (char *)items + old != (char *)c->data + c->used)
		return;
	/* the room given back was never written or is zeroed again here:
	 * arena memory is zero when it is handed out */
	memset((char *)items + elem_size * (size_t)count, 0, old - elem_size * (size_t)count);
	c->used -= old - kept;
	*cap = count;
}

void arena_expect(struct arena *a, size_t bytes)
{
	if (bytes < HUGE_PAGE)
		return;
	bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	a->first_chunk = bytes < ARENA_CHUNK_MAX ? bytes : ARENA_CHUNK_MAX;
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *keep = a->head;
	for (struct arena_chunk *c = a->head; c; c = c->next)
		if (c->size > keep->size)
			keep = c;
	for (struct arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		if (c != keep)
			munmap(c, sizeof(*c) + c->size);
	}
	if (keep) {
		memset(keep->data, 0, keep->used);
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
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
