/* arena.h - bump allocation for one compiler stage.
 *
 * Every stage (parse, sema, IR, image) allocates from an arena and frees it
 * whole at the end, so no pass has to track ownership of its nodes.  Arena
 * memory is zeroed.  Allocation failure aborts: a compiler that runs out of
 * memory on a tracing script has nothing sensible left to do.
 */
#ifndef EBPFQ_ARENA_H
#define EBPFQ_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t first_chunk; /* bytes of the first chunk, if arena_expect() said */
};

void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an arena-owned array: *items has *cap slots of elem_size; ensures room
 * for one more, doubling *cap (in place if the array is the arena's last
 * allocation, else by a copy that leaves the old array unused). */
void arena_grow(struct arena *a, void **items, int *cap, int count, size_t elem_size);
/* Give back the room of an arena-owned array past its count, if it is the
 * arena's last allocation (then *cap becomes count; else nothing changes):
 * for an array that is done growing, so the next one starts right after it. */
void arena_trim(struct arena *a, void *items, int *cap, int count, size_t elem_size);
void arena_free(struct arena *a);
/* Empty the arena for reuse: its biggest chunk stays, zeroed where it was
 * used; the others are freed.  For a stage that runs again and again on
 * tables of about the same size (regalloc's rounds, one per spill, and
 * its functions; vcheck's programs), which then touches its pages once,
 * not at each round. */
void arena_reset(struct arena *a);
/* The arena is about to hold some `bytes`: from 2 MiB on, its first chunk
 * is that big (in huge pages, at most the largest chunk), instead of
 * the small ones a short script needs: a long script's compile went
 * through 1.3 MB of those per arena, each 4 KiB page a fault. */
void arena_expect(struct arena *a, size_t bytes);

#define ARENA_NEW(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define ARENA_ARRAY(a, type, n) ((type *)arena_alloc((a), sizeof(type) * (size_t)(n)))
/* Append v to an arena vector declared as { T *items; int count, cap; }.
 * The test for room is here, not only in arena_grow: most pushes have
 * room, and a call for each was 2% of compiling a long probe. */
#define ARENA_PUSH(a, vec, v)                                                  \
	do {                                                                   \
		if ((vec).count >= (vec).cap)                                  \
			arena_grow((a), (void **)&(vec).items, &(vec).cap,     \
				   (vec).count, sizeof(*(vec).items));         \
		(vec).items[(vec).count++] = (v);                              \
	} while (0)

#endif
