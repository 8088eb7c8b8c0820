/* test_file.c - see test_file.h. */
#include "test_file.h"

#include <stdio.h>
#include <stdlib.h>

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0, got;
	char *text = malloc(cap);
	while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0)
		if ((n += got) == cap - 1)
			text = realloc(text, cap *= 2);
	fclose(f);
	if (!text) {
		perror(path);
		return NULL;
	}
	text[n] = 0;
	if (len)
		*len = n;
	return text;
}
