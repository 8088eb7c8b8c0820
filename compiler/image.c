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
