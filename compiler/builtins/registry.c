/* registry.c - looking builtins up by name in the families' tables. */
#include "builtins.h"

#include <string.h>

static const struct builtin *const families[] = {
	builtins_context, builtins_output, builtins_maps, builtins_aggregate, builtins_strings,
	builtins_memory, builtins_stacks, builtins_actions, builtins_time, builtins_render,
	builtins_later,
};
enum { NFAMILIES = sizeof(families) / sizeof(families[0]) };

const struct builtin *builtin_find(enum builtin_kind kind, const char *name)
{
	for (int f = 0; f < NFAMILIES; f++)
		for (const struct builtin *b = families[f]; b->name; b++)
			if (b->kind == kind && !strcmp(b->name, name))
				return b;
	return NULL;
}

int builtin_names(enum builtin_kind kind, const char **names, int max)
{
	int n = 0;
	for (int f = 0; f < NFAMILIES; f++)
		for (const struct builtin *b = families[f]; b->name && n < max - 1; b++)
			if (b->kind == kind)
				names[n++] = b->name;
	names[n] = NULL;
	return n;
}
