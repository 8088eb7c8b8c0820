/* events.c - the ring buffer's consumer: every printf, print, clear and
 * exit of the script arrives here as one record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static void print_printf(struct eq_session *s, const struct eq_output *o, const void *data,
			 uint32_t size)
{
	if (s->opts.format != EQ_FORMAT_JSON) {
		fmt_printf(s->opts.out, o, data, size);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	fmt_printf(mem, o, data, size);
	fclose(mem);
	json__printf(s->opts.out, text, len);
	free(text);
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
	if (index >= (uint64_t)img->noutputs || size < img->outputs[index].record_size) {
		s->malformed++;
		return 0;
	}
	const struct eq_output *o = &img->outputs[index];
	const unsigned char *after = (const unsigned char *)data + 8; /* a key or a value */
	if (o->kind == EQ_OUT_WATCH) { /* not output: a process may wait on it */
		watch__event(s, o, data);
		return 0;
	}
	if (s->exit_requested && !s->in_end)
		return 0; /* exit() ends the script's output where it was called */
	switch (o->kind) {
	case EQ_OUT_PRINTF:
		print_printf(s, o, data, (uint32_t)size);
		break;
	case EQ_OUT_PRINT_MAP:
		map__print(s, (int)o->map_index, o->top, o->div);
		break;
	case EQ_OUT_PRINT_ENTRY:
		map__print_entry(s, (int)o->map_index, after);
		break;
	case EQ_OUT_PRINT_VALUE:
		if (s->opts.format == EQ_FORMAT_JSON) {
			json__value(s->opts.out, &o->value, after);
		} else {
			value__print(s->opts.out, &o->value, after, false);
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
	case EQ_OUT_EXIT:
		s->exit_requested = true;
		break;
	case EQ_OUT_WATCH:
		break; /* above */
	}
	return 0;
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
