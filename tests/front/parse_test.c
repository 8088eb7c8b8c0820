/* parse_test.c - the front end's test driver: parse a script and print its
 * AST (-d ast form), or its diagnostics.  Exit 0, or 2 on errors. */
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "ast.h"
#include "front.h"
#include "../test_file.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: parse_test FILE.ebq\n", stderr);
		return 2;
	}
	size_t len;
	char *text = test_read_file(argv[1], &len);
	if (!text)
		return 2;
	struct eq_source src = {argv[1], text, len};
	struct eq_diag diag = {.src = &src, .out = stderr};
	struct arena arena = {0};
	struct ast *program = parse_source(&src, &arena, &diag);
	if (program && !diag.errors)
		ast_print(stdout, program);
	arena_free(&arena);
	free(text);
	return diag.errors ? 2 : 0;
}
