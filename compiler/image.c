/* image.c - the compiled image's lifetime; see image.h. */
#include "image.h"

#include <stdlib.h>

void eq_image_free(struct eq_image *img)
{
	if (!img)
		return;
	struct arena a = img->arena;
	arena_free(&a); /* the image itself lives in its arena */
}

bool eq_prog_refs_in_order(const struct eq_prog *p)
{
	for (uint32_t r = 1; r < p->nrefs; r++)
		if (p->refs[r].insn_index < p->refs[r - 1].insn_index)
			return false;
	return true;
}

const struct eq_map_ref *eq_prog_ref_at(const struct eq_prog *p, uint32_t insn)
{
	uint32_t lo = 0, hi = p->nrefs; /* the first reference at or after insn */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->refs[mid].insn_index < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nrefs && p->refs[lo].insn_index == insn ? &p->refs[lo] : NULL;
}
