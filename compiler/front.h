/* front.h - the front end: script text to AST (lex.l, parse.y). */
#ifndef EBPFQ_FRONT_H
#define EBPFQ_FRONT_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Parse the whole script.  Errors go to diag (several per run where
 * recovery allows); the result is the AST_PROGRAM, possibly partial, or
 * NULL.  Never crashes, whatever the bytes. */
struct ast *parse_source(const struct eq_source *src, struct arena *arena, struct eq_diag *diag);
/* Parse a file a script #includes: C definitions only (struct, union, enum,
 * typedef, #define, #include).  Returns the BLOCK of definitions, or NULL. */
const struct ast *parse_header(const struct eq_source *src, struct arena *arena, struct eq_diag *diag);

#endif
