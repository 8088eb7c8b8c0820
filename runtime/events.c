/* events.c - the ring buffer's consumer: every printf, print, clear and
 * exit of the script arrives here as one record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

char *record__text(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size, size_t *len)
{
	char *text = NULL;
	*len = 0;
	FILE *mem = open_memstream(&text, len);
	if (!mem)
		return NULL;
	fmt_printf(mem, s, o, rec, size);
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	return text;
}

static void print_printf(struct eq_session *s, const struct eq_output *o, const void *data,
			 uint32_t size)
{
	if (s->opts.format != EQ_FORMAT_JSON) {
		fmt_printf(s->opts.out, s, o, data, size);
		return;
	}
	size_t len;
	char *text = record__text(s, o, data, size, &len);
	if (text)
		json__text(s->opts.out, "printf", text, len);
	free(text);
}

/* -k: a helper call failed.  The first failure of each call is shown
 * against the script's line; the rest are counted (a failing read in a hot
 * probe would flood the terminal) and summed up at exit. */
static void helper_failure(struct eq_session *s, uint32_t index, const unsigned char *after)
{
	const struct eq_output *o = &s->img->outputs[index];
	if (!s->helper_failures) {
		s->helper_failures = calloc((size_t)s->img->noutputs, sizeof(*s->helper_failures));
		if (!s->helper_failures)
			return;
	}
	if (s->helper_failures[index]++)
		return;
	int64_t ret;
	memcpy(&ret, after, sizeof(ret));
	session__flush(s); /* the warning comes after what the script printed before it */
	fprintf(s->opts.err, "%s:%u:%u: warning: %s failed: %s (%lld)\n", s->img->file, o->line, o->col,
		o->fmt, strerror((int)-ret), (long long)ret);
	source__show(s->opts.err, s->img, o->line, o->col);
}

void helper_failures__report(struct eq_session *s)
{
	for (int i = 0; s->helper_failures && i < s->img->noutputs; i++) {
		const struct eq_output *o = &s->img->outputs[i];
		long more = s->helper_failures[i] - 1;
		if (more > 0)
			fprintf(s->opts.err, "%s:%u:%u: warning: %s failed %ld more time%s\n", s->img->file,
				o->line, o->col, o->fmt, more, more == 1 ? "" : "s");
	}
}

/* join(): the strings, joined by the delimiter; a newline in text. */
static void print_join(struct eq_session *s, const struct eq_output *o, const unsigned char *after)
{
	uint64_t count;
	memcpy(&count, after, sizeof(count));
	uint32_t each = (o->record_size - 16) / (uint32_t)o->nargs;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	for (uint64_t i = 0; i < count && i < (uint64_t)o->nargs; i++) {
		const char *arg = (const char *)after + 8 + i * each;
		fprintf(mem, "%s%.*s", i ? o->fmt : "", (int)strnlen(arg, each), arg);
	}
	if (!fclose(mem)) {
		if (s->opts.format == EQ_FORMAT_JSON)
			json__text(s->opts.out, "join", text, len);
		else
			fprintf(s->opts.out, "%s\n", text);
	}
	free(text);
}

static void handle_record(struct eq_session *s, uint32_t index, const void *data, size_t size);

/* A thread's line so far (eq_image.lines_by_thread): the text its events
 * printed after the last newline.  In an open-addressing table by tid. */
struct pending_line {
	uint32_t tid;
	bool used;
	char *text;
	size_t len;
};

static struct pending_line *find_line(struct pending_line *lines, int n, uint32_t tid)
{
	uint32_t mask = (uint32_t)n - 1, i = (tid * 2654435761u) & mask;
	while (lines[i].used && lines[i].tid != tid)
		i = (i + 1) & mask;
	return &lines[i];
}

/* The table again, twice as big if more than half of it holds lines begun
 * and not ended: a thread whose line has ended keeps no place, so the
 * table is as big as the threads in the middle of a line, not as all the
 * threads that ever printed. */
static bool rehash_lines(struct eq_session *s)
{
	int pending = 0;
	for (int i = 0; i < s->nlines; i++)
		pending += s->lines[i].used && s->lines[i].len;
	int n = s->nlines ? s->nlines : 16;
	if (2 * pending >= n)
		n *= 2;
	struct pending_line *lines = calloc((size_t)n, sizeof(*lines));
	if (!lines)
		return false;
	for (int i = 0; i < s->nlines; i++) {
		struct pending_line *old = &s->lines[i];
		if (old->used && old->len)
			*find_line(lines, n, old->tid) = *old;
		else if (old->used)
			free(old->text);
	}
	free(s->lines);
	s->lines = lines;
	s->nlines = n;
	s->nlines_used = pending;
	return true;
}

static struct pending_line *pending_of(struct eq_session *s, uint32_t tid)
{
	if ((!s->nlines || 2 * (s->nlines_used + 1) > s->nlines) && !rehash_lines(s))
		return NULL;
	struct pending_line *p = find_line(s->lines, s->nlines, tid);
	if (!p->used) {
		*p = (struct pending_line){.tid = tid, .used = true};
		s->nlines_used++;
	}
	return p;
}

/* An event of a script that may print a line in pieces: its text joins
 * its thread's line, and what ends in a newline is printed whole.  A
 * thread's events come in order, and no other thread's can land in the
 * middle of its line, whichever CPU each runs on. */
static void assemble_lines(struct eq_session *s, uint32_t tid, uint32_t index, const void *data,
			   size_t size)
{
	/* one memory stream for every event, rewound each time */
	if (!s->line_stream)
		s->line_stream = open_memstream(&s->line_text, &s->line_size);
	struct pending_line *p = s->line_stream ? pending_of(s, tid) : NULL;
	if (!p) {
		handle_record(s, index, data, size);
		return;
	}
	FILE *out = s->opts.out;
	fseeko(s->line_stream, 0, SEEK_SET);
	s->opts.out = s->line_stream;
	handle_record(s, index, data, size);
	s->opts.out = out;
	off_t len = ftello(s->line_stream);
	fflush(s->line_stream);
	if (len <= 0)
		return;
	char *joined = realloc(p->text, p->len + (size_t)len);
	if (!joined)
		return;
	memcpy(joined + p->len, s->line_text, (size_t)len);
	p->text = joined;
	p->len += (size_t)len;
	const char *nl = memrchr(p->text, '\n', p->len);
	if (nl) {
		size_t whole = (size_t)(nl - p->text) + 1;
		fwrite(p->text, 1, whole, out);
		memmove(p->text, p->text + whole, p->len - whole);
		p->len -= whole;
	}
}

void lines__flush(struct eq_session *s)
{
	for (int i = 0; i < s->nlines; i++) {
		if (s->lines[i].len) /* a place no thread took has no text at all */
			fwrite(s->lines[i].text, 1, s->lines[i].len, s->opts.out);
		s->lines[i].len = 0;
	}
}

void lines__free(struct eq_session *s)
{
	if (s->line_stream)
		fclose(s->line_stream);
	free(s->line_text);
	for (int i = 0; i < s->nlines; i++)
		free(s->lines[i].text);
	free(s->lines);
	s->lines = NULL;
	s->nlines = s->nlines_used = 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct eq_session *s = ctx;
	const struct eq_image *img = s->img;
	uint64_t index;
	if (size < sizeof(index)) {
		s->malformed++;
		return 0;
	}
	memcpy(&index, data, sizeof(index));
	uint32_t tid = img->lines_by_thread ? (uint32_t)(index >> 32) : 0;
	if (img->lines_by_thread)
		index = (uint32_t)index;
	if (index >= (uint64_t)img->noutputs || size < img->outputs[index].record_size) {
		s->malformed++;
		return 0;
	}
	session__lock(s); /* a --export scrape may be rendering keys */
	if (img->lines_by_thread && s->opts.format != EQ_FORMAT_JSON)
		assemble_lines(s, tid, (uint32_t)index, data, size);
	else
		handle_record(s, (uint32_t)index, data, size);
	session__unlock(s);
	return 0;
}

/* One event, printed to s->opts.out. */
static void handle_record(struct eq_session *s, uint32_t index, const void *data, size_t size)
{
	const struct eq_output *o = &s->img->outputs[index];
	const unsigned char *after = (const unsigned char *)data + 8; /* a key or a value */
	if (o->kind == EQ_OUT_WATCH_PID) { /* not output: the maps printed at exit need it */
		uint64_t pid;
		memcpy(&pid, after, 8);
		symbolizer__watch(s->sym, (int)pid);
		return;
	}
	if (o->kind == EQ_OUT_WATCH) { /* not output: a process may wait on it */
		watch__event(s, o, data);
		return;
	}
	if (s->exit_requested && !s->in_end)
		return; /* exit() ends the script's output where it was called */
	switch (o->kind) {
	case EQ_OUT_PRINTF:
		print_printf(s, o, data, (uint32_t)size);
		break;
	case EQ_OUT_SYSTEM:
		action__system(s, o, data, (uint32_t)size);
		break;
	case EQ_OUT_CAT:
		action__cat(s, o, data, (uint32_t)size);
		break;
	case EQ_OUT_JOIN:
		print_join(s, o, after);
		break;
	case EQ_OUT_TIME:
		action__time(s, o);
		break;
	case EQ_OUT_PRINT_MAP:
		map__print(s, (int)o->map_index, o->top, o->div);
		break;
	case EQ_OUT_PRINT_ENTRY:
		map__print_entry(s, (int)o->map_index, after);
		break;
	case EQ_OUT_PRINT_VALUE:
		if (s->opts.format == EQ_FORMAT_JSON) {
			json__value(s->opts.out, s, &o->value, after);
		} else {
			value__print(s->opts.out, s, &o->value, after, false);
			fputc('\n', s->opts.out);
		}
		break;
	case EQ_OUT_CLEAR_MAP:
		map__clear(s, (int)o->map_index);
		break;
	case EQ_OUT_ZERO_MAP:
		map__zero(s, (int)o->map_index);
		break;
	case EQ_OUT_DELETE_ENTRY:
		map__delete_entry(s, (int)o->map_index, after);
		break;
	case EQ_OUT_HELPER_ERROR:
		helper_failure(s, (uint32_t)index, after);
		break;
	case EQ_OUT_EXIT:
		s->exit_requested = true;
		break;
	case EQ_OUT_WATCH_PID:
		break;
	case EQ_OUT_WATCH:
		break; /* above */
	}
	return;
}

int events__open(struct eq_session *s)
{
	if (s->img->ringbuf_map < 0)
		return 0;
	s->rb = ring_buffer__new(s->map_fds[s->img->ringbuf_map], on_record, s, NULL);
	if (!s->rb) {
		fprintf(s->opts.err, "ebpfq: cannot read the event ring buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

void events__drain(struct eq_session *s)
{
	if (s->rb)
		ring_buffer__consume(s->rb);
	session__flush(s);
}
