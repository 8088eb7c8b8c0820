/* diag.c - diagnostics with the source line and a caret; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <string.h>

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (!len || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/* Where line `line` starts in the text, and its length. */
static const char *find_line(const struct eq_source *src, int line, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len;
	for (int l = 1; l < line && p < end; p++)
		if (*p == '\n')
			l++;
	size_t n = 0;
	while (p + n < end && p[n] != '\n')
		n++;
	*len = n;
	return p;
}

/* Copy n bytes of source into buf for display: control bytes, and bytes
 * that are not UTF-8, would garble the caret line (and the terminal). */
static void clean_copy(char *buf, const char *text, size_t n)
{
	memcpy(buf, text, n);
	buf[n] = 0;
	bool utf8 = valid_utf8(buf, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && !utf8))
			buf[i] = '?';
	}
}

size_t source_line(const struct eq_source *src, int line, char *buf, size_t size)
{
	size_t n;
	const char *text = find_line(src, line, &n);
	if (n >= size)
		n = size - 1;
	clean_copy(buf, text, n);
	return n;
}

/* The source line with a caret under the spot; a very long line is shown
 * as a window around the spot, marked with "...". */
static void excerpt(struct eq_diag *d, eq_loc loc)
{
	enum { WINDOW = 60 };
	size_t n;
	const char *text = find_line(d->src, loc.line, &n);
	size_t col = loc.col > 0 ? (size_t)loc.col : 1, from = 0;
	if (n > 2 * WINDOW && col > WINDOW)
		from = col - WINDOW / 2 < n ? col - WINDOW / 2 : n;
	size_t shown = n - from < 2 * WINDOW ? n - from : 2 * WINDOW;
	char buf[2 * WINDOW + 1];
	clean_copy(buf, text + from, shown);
	fprintf(d->out, "%5d | %s%s%s\n      | %s", loc.line, from ? "..." : "", buf,
		from + shown < n ? "..." : "", from ? "   " : "");
	for (size_t i = from + 1; i < col && i - from <= shown; i++)
		fputc(buf[i - from - 1] == '\t' ? '\t' : ' ', d->out);
	fputc('^', d->out);
	for (int i = 1; i < loc.len && col + (size_t)i - 1 < from + shown; i++)
		fputc('~', d->out);
	fputc('\n', d->out);
}

static void report(struct eq_diag *d, const char *what, eq_loc loc, bool show_line,
		   const char *fmt, va_list ap)
{
	if (!d->out) /* counting only */
		return;
	if (loc.line > 0)
		fprintf(d->out, "%s:%d:%d: %s: ", d->src->file, loc.line, loc.col, what);
	else
		fprintf(d->out, "%s: %s: ", d->src->file, what);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
	if (show_line && loc.line > 0)
		excerpt(d, loc);
}

void diag_error(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
{
	int limit = d->max_errors ? d->max_errors : 20;
	d->errors++;
	if (d->errors > limit)
		return;
	va_list ap;
	va_start(ap, fmt);
	report(d, "error", loc, true, fmt, ap);
	va_end(ap);
	if (d->errors == limit && d->out)
		fprintf(d->out, "%s: too many errors, stopping\n", d->src->file);
}

void diag_warning(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, "warning", loc, true, fmt, ap);
	va_end(ap);
}

void diag_note(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
{
	int limit = d->max_errors ? d->max_errors : 20;
	if (d->errors > limit)
		return;
	va_list ap;
	va_start(ap, fmt);
	report(d, "note", loc, true, fmt, ap);
	va_end(ap);
}

void diag_hint(struct eq_diag *d, eq_loc loc, const char *fmt, ...)
{
	int limit = d->max_errors ? d->max_errors : 20;
	if (d->errors > limit)
		return;
	va_list ap;
	va_start(ap, fmt);
	report(d, "hint", loc, false, fmt, ap);
	va_end(ap);
}

/* Optimal-string-alignment distance: insertions, deletions, substitutions and
 * swaps of two neighbours (pdi -> pid) each cost one. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return 99;
	int d[32][32];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *diag_closest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	int best_d = 99;
	size_t wl = strlen(word);
	int limit = wl <= 3 ? 1 : wl <= 6 ? 2 : 3;
	for (; *candidates; candidates++) {
		/* a length that differs by more than the limit is as many edits
		 * at least: skipped cheaply (kaddr's hint has 200,000 kernel names) */
		size_t cl = strlen(*candidates);
		if (cl > wl + (size_t)limit || cl + (size_t)limit < wl)
			continue;
		int dist = edit_distance(word, *candidates);
		if (dist < best_d) {
			best_d = dist;
			best = *candidates;
		}
	}
	return best_d <= limit ? best : NULL;
}
