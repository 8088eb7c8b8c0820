/* actions.c - system(), cat() and time(), run when their event arrives, so that
 * what they print lands in order with printf's output, in the script's
 * output (stdout or -o FILE) and, under -f json, as bpftrace's
 * {"type": "syscall"} and {"type": "cat"} objects. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* Copy everything from `in` to the script's output: as it comes in text
 * mode, as one JSON object of `type` in JSON mode. */
static void copy_out(struct eq_session *s, FILE *in, const char *type)
{
	char buf[8192];
	size_t n;
	if (s->opts.format != EQ_FORMAT_JSON) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, s->opts.out);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, mem);
	if (!fclose(mem))
		json__text(s->opts.out, type, text, len);
	free(text);
}

/* system(fmt, ...): the command runs under /bin/sh, its standard output
 * copied into ours, its standard error left on ours; ebpfq waits for it,
 * as bpftrace does. */
void action__system(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size)
{
	size_t len;
	char *cmd = record__text(o, rec, size, &len);
	if (!cmd)
		return;
	session__flush(s); /* what the script printed before comes first */
	fflush(s->opts.err);
	FILE *in = popen(cmd, "r");
	if (!in) {
		fprintf(s->opts.err, "ebpfq: system(): cannot run '%s': %s\n", cmd, strerror(errno));
	} else {
		copy_out(s, in, "syscall");
		pclose(in);
	}
	free(cmd);
}

/* cat(fmt, ...): the file's contents, as they are. */
void action__cat(struct eq_session *s, const struct eq_output *o, const void *rec, uint32_t size)
{
	size_t len;
	char *path = record__text(o, rec, size, &len);
	if (!path)
		return;
	FILE *in = fopen(path, "r");
	if (!in) {
		session__flush(s);
		fprintf(s->opts.err, "ebpfq: cat(): cannot open '%s': %s\n", path, strerror(errno));
	} else {
		copy_out(s, in, "cat");
		fclose(in);
	}
	free(path);
}

/* time(fmt): now, in local time. */
void action__time(struct eq_session *s, const struct eq_output *o)
{
	struct timespec now;
	char text[1024];
	clock_gettime(CLOCK_REALTIME, &now);
	size_t len = time__format(text, sizeof(text), o->fmt, &now);
	if (s->opts.format == EQ_FORMAT_JSON)
		json__text(s->opts.out, "time", text, len);
	else
		fwrite(text, 1, len, s->opts.out);
}
