/* diag.h - source locations and user-facing diagnostics.
 *
 * Every token, AST node and IR instruction carries an eq_loc.  Diagnostics are
 * printed as
 *
 *     FILE:LINE:COL: error: MESSAGE
 *         LINE | the source line
 *              |      ^~~~
 *     FILE:LINE:COL: hint: did you mean `pid`?
 *
 * so that a user sees the spot in their own script, never an internal name.
 */
#ifndef EBPFQ_DIAG_H
#define EBPFQ_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct eq_loc {
	int line; /* 1-based; 0 means "no location" */
	int col;  /* 1-based, in bytes */
	int len;  /* length of the underlined span, >= 1 */
} eq_loc;

/* The script being compiled: its name as the user knows it and its text. */
struct eq_source {
	const char *file; /* "script.ebq", or "<cmdline>" for -e */
	const char *text;
	size_t len;
};

struct eq_diag {
	const struct eq_source *src;
	FILE *out;      /* where diagnostics go (stderr); NULL: only counted */
	int errors;     /* errors reported so far */
	int max_errors; /* stop reporting after this many (0: 20) */
};

void diag_error(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A note shows another place in the script that an error involves (where
 * a map got its type), with its own source excerpt. */
void diag_note(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A hint follows the error it explains; it has no source excerpt of its own. */
void diag_hint(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy of source line `line` (without newline) into buf; returns its length. */
size_t source_line(const struct eq_source *src, int line, char *buf, size_t size);

/* The closest of `candidates` (NULL-terminated) to `word` within a small edit
 * distance, or NULL: the "did you mean" of every unknown-name error. */
const char *diag_closest(const char *word, const char *const *candidates);

#endif
