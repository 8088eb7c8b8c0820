/* export.c - --export [ADDR:]PORT: the script's maps as Prometheus metrics
 * (text exposition format 0.0.4) at http://ADDR:PORT/metrics, read from
 * the kernel at each scrape, while tracing goes on (doc/export.md):
 *
 *   # HELP ebpfq_calls_total @calls: count()
 *   # TYPE ebpfq_calls_total counter
 *   ebpfq_calls_total{key="bash"} 12
 *
 * count and sum are counters, plain values, min and max gauges, avg and
 * stats summaries (_sum, _count), hist and lhist histograms (cumulative
 * _bucket{le=...}, _count; no _sum: a histogram does not keep its values'
 * total), string and composite values a gauge of 1 with the value as label
 * `value`.  Keys are labels, rendered as print renders them, named after
 * the builtin variable written there (comm, pid) or else `key` for one,
 * key0, key1... by position for several.
 *
 * libmicrohttpd serves, one thread per connection (a scrape that renders
 * stacks may take a while, and another scrape need not wait for it), its
 * threads blocking every signal so that Ctrl-C still reaches the main
 * thread's handler.  A response is made a step at a time (a batch of a
 * map's entries, MAP_BATCH), so a scrape of a map of 100,000 keys holds a
 * batch, not the whole text -- histograms excepted: a key's buckets are
 * scattered over the kernel's map, so a histogram is read whole, as print
 * reads it, and only its text is made a step at a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HAVE_MICROHTTPD
#include <microhttpd.h>
#endif

#include "rt_internal.h"

#if defined(HAVE_MICROHTTPD) || defined(EBPFQ_EXPORT_HELPER)

/* ---- the address ------------------------------------------------------------ */

/* PORT, :PORT (127.0.0.1), A.B.C.D:PORT, localhost:PORT, [IPV6]:PORT; a
 * port of 0 is any free port (the address served is printed). */
static int parse_address(const char *text, struct sockaddr_storage *sa, socklen_t *len, char *why,
			 size_t size)
{
	char host[64] = "127.0.0.1";
	const char *port = text, *colon = strrchr(text, ':');
	if (text[0] == '[') { /* [IPV6]:PORT */
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1), text + 1);
		port = close + 2;
	} else if (colon) {
		if ((size_t)(colon - text) >= sizeof(host))
			goto bad;
		if (colon > text)
			snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port = colon + 1;
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	char *end;
	errno = 0;
	long p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 0 || p > 65535 || *port == '-' || *port == '+')
		goto bad;
	memset(sa, 0, sizeof(*sa));
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	if (text[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		*len = sizeof(*v4);
		return 0;
	}
	if (text[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*v6);
		return 0;
	}
bad:
	snprintf(why, size, "--export takes [ADDR:]PORT (a port from 0 to 65535; ADDR a numeric "
		 "IPv4 address, localhost, or [IPv6]), not '%s'", text);
	return -EINVAL;
}


#endif

#ifndef HAVE_MICROHTTPD

/* A static ebpfq cannot hold libmicrohttpd where its archive does not link
 * (Debian's needs gnutls' and p11-kit's), and linking it shared makes every
 * run pay for the dynamic loader and gnutls (7 ms and 1.6 MB for
 * `BEGIN { exit(); }` became 14 ms and 5 MB).  So configure builds the same
 * ebpfq a second time, linked shared with libmicrohttpd, as ebpfq-export
 * (EBPFQ_EXPORT_HELPER: the directory it is installed in), and a static
 * ebpfq given --export runs that instead, with the same arguments. */
#ifdef EBPFQ_EXPORT_HELPER

int rt_export_check(const char *text, char *why, size_t size)
{
	struct sockaddr_storage sa;
	socklen_t len;
	return parse_address(text, &sa, &len, why, size);
}

/* ebpfq-export beside this program (a build tree), or where it is installed. */
static bool helper_path(char *buf, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			snprintf(buf, size, "%.*s/ebpfq-export", (int)(slash - self), self);
			if (access(buf, X_OK) == 0)
				return true;
		}
	}
	snprintf(buf, size, "%s/ebpfq-export", EBPFQ_EXPORT_HELPER);
	return access(buf, X_OK) == 0;
}

int rt_export_delegate(char **argv, FILE *err)
{
	char path[4200];
	if (!helper_path(path, sizeof(path))) {
		fprintf(err, "ebpfq: --export is served by %s/ebpfq-export, which is missing "
			"(make install puts it there)\n", EBPFQ_EXPORT_HELPER);
		return -ENOENT;
	}
	execv(path, argv);
	fprintf(err, "ebpfq: --export: cannot run %s: %s\n", path, strerror(errno));
	return -errno;
}

void export__info(FILE *out)
{
	char path[4200];
	if (helper_path(path, sizeof(path)))
		fprintf(out, "  --export: yes (served by %s)\n", path);
	else
		fprintf(out, "  --export: no (%s/ebpfq-export, which serves it, is missing)\n",
			EBPFQ_EXPORT_HELPER);
}

#else

int rt_export_check(const char *text, char *why, size_t size)
{
	(void)text;
	snprintf(why, size, "this ebpfq was built without libmicrohttpd, which --export needs "
		 "(configure --with-microhttpd)");
	return -ENOTSUP;
}

int rt_export_delegate(char **argv, FILE *err)
{
	(void)argv, (void)err;
	return 0;
}

void export__info(FILE *out)
{
	fputs("  --export: no (built without libmicrohttpd)\n", out);
}

#endif

/* Not reached: main.c has delegated --export, or refused it. */
int export__listen(struct eq_session *s)
{
	fprintf(s->opts.err, "ebpfq: --export: this ebpfq was built without libmicrohttpd\n");
	return -ENOTSUP;
}

int export__serve(struct eq_session *s)
{
	(void)s;
	return 0;
}

void export__stop(struct eq_session *s)
{
	(void)s;
}

#else

int rt_export_delegate(char **argv, FILE *err)
{
	(void)argv, (void)err;
	/* run by a static ebpfq for --export: the task keeps ebpfq's name, which
	 * scripts filter on (comm != "ebpfq") */
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "re");
	if (f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "ebpfq-export\n"))
		prctl(PR_SET_NAME, "ebpfq", 0, 0, 0);
	if (f)
		fclose(f);
	return 0; /* served here */
}

int rt_export_check(const char *text, char *why, size_t size)
{
	struct sockaddr_storage sa;
	socklen_t len;
	return parse_address(text, &sa, &len, why, size);
}

struct exporter {
	struct eq_session *s;
	int listen_fd;            /* until the daemon takes it */
	struct MHD_Daemon *daemon;
	int *order;               /* the user maps, in name order (as printed at exit) */
	int nmaps;
};

/* ---- names -------------------------------------------------------------------- */

/* The metric family's name: ebpfq_ and the map's name without its @ (@
 * alone: ebpfq_map), a character a metric name cannot hold as _; a
 * counter's ends in _total. */
static void metric_name(const struct eq_map *m, char *buf, size_t size)
{
	const char *name = m->name[0] == '@' ? m->name + 1 : m->name;
	snprintf(buf, size, "ebpfq_%s", *name ? name : "map");
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == ':'))
			*p = '_';
	size_t n = strlen(buf);
	bool counter = m->value_kind == EQ_VALUE_COUNT || m->value_kind == EQ_VALUE_SUM;
	if (counter && (n < 6 || strcmp(buf + n - 6, "_total")))
		snprintf(buf + n, size - n, "_total");
}

static const char *metric_type(const struct eq_map *m)
{
	switch (m->value_kind) {
	case EQ_VALUE_COUNT: case EQ_VALUE_SUM: return "counter";
	case EQ_VALUE_AVG: case EQ_VALUE_STATS: return "summary";
	case EQ_VALUE_HIST: case EQ_VALUE_LHIST: return "histogram";
	default: return "gauge";
	}
}

/* What the map holds, for its HELP line. */
static const char *value_text(const struct eq_map *m)
{
	static const char *const kinds[] = {
		[EQ_VALUE_INT] = "value", [EQ_VALUE_STR] = "string", [EQ_VALUE_COMPOSITE] = "value",
		[EQ_VALUE_COUNT] = "count()", [EQ_VALUE_SUM] = "sum()", [EQ_VALUE_AVG] = "avg()",
		[EQ_VALUE_STATS] = "stats()", [EQ_VALUE_MIN] = "min()", [EQ_VALUE_MAX] = "max()",
		[EQ_VALUE_HIST] = "hist()", [EQ_VALUE_LHIST] = "lhist()",
	};
	return kinds[m->value_kind];
}

/* A label value as the exposition format quotes it: \\, \" and \n escaped;
 * a byte that is not valid UTF-8 (a process name may hold any) becomes
 * U+FFFD, which Prometheus needs to take the scrape at all. */
static void label_value(FILE *out, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text;
	fputc('"', out);
	for (size_t i = 0; i < n;) {
		size_t len = utf8_length(p + i, n - i);
		if (p[i] == '\\' || p[i] == '"')
			fprintf(out, "\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", out);
		else if (!len)
			fputs("\xef\xbf\xbd", out);
		else
			fwrite(p + i, 1, len, out);
		i += len ? len : 1;
	}
	fputc('"', out);
}

/* Key part i's label: the builtin variable the script wrote there (comm,
 * pid: eq_field's name), unless an earlier part took that name or it is
 * one Prometheus or this file keeps (__*, le, value); else `key` for a
 * single part, key0, key1... by position. */
static void label_name(const struct eq_map *m, int i, char *buf, size_t size)
{
	const char *name = m->key_fields[i].name;
	bool ok = name && *name && strncmp(name, "__", 2) && strcmp(name, "le") && strcmp(name, "value");
	for (const char *p = name; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		     (p > name && *p >= '0' && *p <= '9');
	for (int j = 0; ok && j < i; j++)
		ok = !m->key_fields[j].name || strcmp(m->key_fields[j].name, name);
	if (ok)
		snprintf(buf, size, "%s", name);
	else if (m->nkey_fields == 1)
		snprintf(buf, size, "key");
	else
		snprintf(buf, size, "key%d", i);
}

/* Text made again and again, in one buffer: open_memstream's buffer is
 * reused from its start (its size is where the stream is). */
struct scratch {
	FILE *f;
	char *text;
	size_t len;
};

static bool scratch__open(struct scratch *t)
{
	return (t->f = open_memstream(&t->text, &t->len)) != NULL;
}

static void scratch__close(struct scratch *t)
{
	if (t->f)
		fclose(t->f);
	free(t->text);
	*t = (struct scratch){0};
}

/* Rewind for new text. */
static FILE *scratch__begin(struct scratch *t)
{
	fseek(t->f, 0, SEEK_SET);
	return t->f;
}

/* The text written since scratch__begin: t->text, t->len. */
static void scratch__end(struct scratch *t)
{
	fflush(t->f);
}

/* What rendering an entry needs: its key's labels, made once for all of
 * its samples (a histogram's buckets), and room for a part's text. */
struct render {
	struct eq_session *s;
	const char *name;   /* the metric family's */
	struct scratch part, keys;
};

/* r->keys: `comm="bash",pid="42"`, the entry's key as labels (empty for
 * a map without keys). */
static void render__key(struct render *r, const struct eq_map *m, const unsigned char *key)
{
	FILE *out = scratch__begin(&r->keys);
	for (int i = 0; m->has_key && i < m->nkey_fields; i++) {
		key_part__print(scratch__begin(&r->part), r->s, &m->key_fields[i], key);
		scratch__end(&r->part);
		char name[64];
		label_name(m, i, name, sizeof(name));
		fprintf(out, "%s%s=", i ? "," : "", name);
		label_value(out, r->part.text, r->part.len);
	}
	scratch__end(&r->keys);
}

/* NAME_SUFFIX{KEY LABELS,EXTRA="VALUE"} and a space: a sample's start. */
static void sample(FILE *out, const struct render *r, const char *suffix, const char *extra_name,
		   const char *extra, size_t extra_len)
{
	fputs(r->name, out);
	fputs(suffix, out);
	if (!r->keys.len && !extra_name) {
		fputc(' ', out);
		return;
	}
	fputc('{', out);
	fwrite(r->keys.text, 1, r->keys.len, out);
	if (extra_name) {
		fprintf(out, "%s%s=", r->keys.len ? "," : "", extra_name);
		label_value(out, extra, extra_len);
	}
	fputs("} ", out);
}

/* A histogram's rows as cumulative buckets: `le` is the greatest value a
 * bucket holds (values are integers: [4, 8) is le="7"), up to the last
 * bucket that is not empty, then +Inf and _count.  Empty buckets before
 * the first one that is not are left out, as print leaves them out. */
static void hist_samples(FILE *out, const struct render *r, const struct eq_map *m,
			 const struct map_entry *e)
{
	int n = map__buckets(m), first = -1, last = -1;
	for (int i = 0; i < n; i++)
		if (e->buckets[i]) {
			first = first < 0 ? i : first;
			last = i;
		}
	bool lhist = m->value_kind == EQ_VALUE_LHIST;
	uint64_t total = 0;
	char le[32];
	for (int i = first < 0 ? n : first; i <= last; i++) {
		total += e->buckets[i];
		if (lhist && i == n - 1)
			break; /* [MAX, ...): only +Inf holds it */
		if (!lhist)
			snprintf(le, sizeof(le), "%" PRId64, i == 0 ? -1 : i <= 2 ? (int64_t)i - 1 :
				 (int64_t)(((uint64_t)1 << (i - 1)) - 1));
		else
			snprintf(le, sizeof(le), "%" PRId64, m->lhist_min + (int64_t)i * m->lhist_step - 1);
		sample(out, r, "_bucket", "le", le, strlen(le));
		fprintf(out, "%" PRIu64 "\n", total);
	}
	sample(out, r, "_bucket", "le", "+Inf", 4);
	fprintf(out, "%" PRIu64 "\n", total);
	sample(out, r, "_count", NULL, NULL, 0);
	fprintf(out, "%" PRIu64 "\n", total);
}

/* One entry's samples. */
static void entry_samples(FILE *out, struct render *r, const struct eq_map *m, const struct map_entry *e)
{
	render__key(r, m, e->key);
	switch (m->value_kind) {
	case EQ_VALUE_HIST: case EQ_VALUE_LHIST:
		hist_samples(out, r, m, e);
		return;
	case EQ_VALUE_AVG: case EQ_VALUE_STATS:
		sample(out, r, "_sum", NULL, NULL, 0);
		fprintf(out, "%" PRId64 "\n", e->total);
		sample(out, r, "_count", NULL, NULL, 0);
		fprintf(out, "%" PRId64 "\n", e->count);
		return;
	case EQ_VALUE_STR: case EQ_VALUE_COMPOSITE:
		value__print(scratch__begin(&r->part), r->s, &m->value_field, e->value, false);
		scratch__end(&r->part);
		sample(out, r, "", "value", r->part.text, r->part.len);
		fputs("1\n", out);
		return;
	default:
		sample(out, r, "", NULL, NULL, 0);
		entry__print_number(out, m, e, 1);
		fputc('\n', out);
	}
}

/* ---- a scrape, a step at a time -------------------------------------------------- */

enum { HIST_STEP = 256 }; /* histogram entries rendered per step */

struct scrape {
	struct exporter *e;
	int next_map;             /* in e->order */
	int map;                  /* the map being read, -1 between maps */
	char name[160];
	struct render render;     /* its scratch text, kept from entry to entry */
	struct map_cursor cursor; /* a map other than a histogram, a batch at a time */
	struct map_view view;     /* the batch (a histogram: all of it) */
	int shown;                /* entries of view already rendered */
	char *text;               /* the step's text, and how much of it was sent */
	size_t len, sent;
};

static void scrape__end_map(struct scrape *sc)
{
	if (sc->map >= 0 && !map__is_hist(sc->view.m))
		map_cursor__close(&sc->cursor);
	map_view__free(&sc->view);
	sc->map = -1;
}

/* The next step's text into out: a map's header, or some of its entries;
 * false when nothing is left.  Holds the session's lock. */
static bool scrape__step(struct scrape *sc, FILE *out, bool *failed)
{
	struct eq_session *s = sc->e->s;
	if (sc->map < 0) {
		if (sc->next_map >= sc->e->nmaps)
			return false;
		sc->map = sc->e->order[sc->next_map++];
		const struct eq_map *m = &s->img->maps[sc->map];
		metric_name(m, sc->name, sizeof(sc->name));
		fprintf(out, "# HELP %s %s: %s\n# TYPE %s %s\n", sc->name, m->name, value_text(m),
			sc->name, metric_type(m));
		int rc = map__is_hist(m) ? map_view__read(s, sc->map, &sc->view)
					 : map_cursor__open(s, sc->map, &sc->view, &sc->cursor);
		map_view__sort_by_key(&sc->view);
		sc->shown = 0;
		if (rc) {
			*failed = true;
			sc->view.m = m; /* for scrape__end_map */
			scrape__end_map(sc);
		}
		return true;
	}
	const struct eq_map *m = sc->view.m;
	if (sc->shown == sc->view.count && !map__is_hist(m)) {
		uint32_t key_size = sc->view.key_size;
		map_view__free(&sc->view);
		sc->view = (struct map_view){.m = m, .key_size = key_size};
		sc->shown = 0;
		int rc = map_cursor__next(&sc->cursor, &sc->view);
		if (rc < 0)
			*failed = true;
		map_view__sort_by_key(&sc->view); /* a map of one batch comes in key order */
		if (rc)
			sc->cursor.done = true;
	}
	int end = sc->shown + (map__is_hist(m) ? HIST_STEP : MAP_BATCH);
	for (; sc->shown < sc->view.count && sc->shown < end; sc->shown++)
		entry_samples(out, &sc->render, m, &sc->view.entries[sc->shown]);
	if (sc->shown == sc->view.count && (map__is_hist(m) || sc->cursor.done))
		scrape__end_map(sc);
	return true;
}

/* libmicrohttpd asks for up to max bytes of the body at pos. */
static ssize_t scrape__read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct scrape *sc = cls;
	(void)pos;
	while (sc->sent == sc->len) {
		free(sc->text);
		sc->text = NULL;
		sc->len = sc->sent = 0;
		FILE *out = open_memstream(&sc->text, &sc->len);
		if (!out)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		bool failed = false;
		session__lock(sc->e->s);
		bool more = scrape__step(sc, out, &failed);
		session__unlock(sc->e->s);
		if (fclose(out) || failed)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (!more)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	size_t n = sc->len - sc->sent < max ? sc->len - sc->sent : max;
	memcpy(buf, sc->text + sc->sent, n);
	sc->sent += n;
	return (ssize_t)n;
}

static void scrape__free(void *cls)
{
	struct scrape *sc = cls;
	session__lock(sc->e->s);
	scrape__end_map(sc);
	session__unlock(sc->e->s);
	scratch__close(&sc->render.part);
	scratch__close(&sc->render.keys);
	free(sc->text);
	free(sc);
}

/* ---- the server --------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* GET (or HEAD) /metrics; 405 for another method, 404 elsewhere. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct exporter *e = cls;
	(void)version, (void)upload, (void)upload_size, (void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics is served\n");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	struct scrape *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return MHD_NO;
	sc->e = e;
	sc->map = -1;
	sc->render = (struct render){.s = e->s, .name = sc->name};
	if (!scratch__open(&sc->render.part) || !scratch__open(&sc->render.keys)) {
		scratch__close(&sc->render.part);
		free(sc);
		return MHD_NO;
	}
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
								   scrape__read, sc, scrape__free);
	if (!r) {
		free(sc);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct eq_map *maps = arg;
	return strcmp(maps[*(const int *)a].name, maps[*(const int *)b].name);
}

int export__listen(struct eq_session *s)
{
	const char *text = s->opts.export_addr;
	struct sockaddr_storage sa;
	socklen_t len;
	char why[256];
	if (parse_address(text, &sa, &len, why, sizeof(why))) {
		fprintf(s->opts.err, "ebpfq: %s\n", why);
		return -EINVAL;
	}
	struct exporter *e = calloc(1, sizeof(*e));
	const struct eq_image *img = s->img;
	if (!e || !(e->order = malloc(sizeof(int) * ((size_t)img->nmaps + 1)))) {
		free(e);
		return -ENOMEM;
	}
	e->s = s;
	for (int i = 0; i < img->nmaps; i++)
		if (img->maps[i].role == EQ_MAP_USER)
			e->order[e->nmaps++] = i;
	if (e->nmaps)
		qsort_r(e->order, (size_t)e->nmaps, sizeof(int), by_name, (void *)img->maps);
	/* our own socket, not the daemon's: a port in use is then told as the
	 * kernel tells it, and port 0's port is known */
	int one = 1, fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -errno : 0;
	if (!rc && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		rc = -errno;
	int v6only = 0; /* [::] serves IPv4 too, whatever net.ipv6.bindv6only says */
	if (!rc && sa.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)))
		rc = -errno;
	if (!rc && (bind(fd, (struct sockaddr *)&sa, len) || listen(fd, 64) ||
		    getsockname(fd, (struct sockaddr *)&sa, &len)))
		rc = -errno;
	if (rc) {
		fprintf(s->opts.err, "ebpfq: --export %s: cannot listen there: %s\n", text, strerror(-rc));
		if (fd >= 0)
			close(fd);
		free(e->order);
		free(e);
		return rc;
	}
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&sa;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&sa;
	if (sa.ss_family == AF_INET)
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
	fprintf(s->opts.err, sa.ss_family == AF_INET ? "ebpfq: metrics at http://%s:%u/metrics\n"
		: "ebpfq: metrics at http://[%s]:%u/metrics\n", host,
		ntohs(sa.ss_family == AF_INET ? v4->sin_port : v6->sin6_port));
	e->listen_fd = fd;
	s->exporter = e;
	return 0;
}

int export__serve(struct eq_session *s)
{
	struct exporter *e = s->exporter;
	if (!e || e->daemon)
		return 0;
	/* the daemon's threads inherit a mask that blocks every signal:
	 * SIGINT and the others go to the main thread, which ends the run */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e->daemon = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, on_request, e,
				     MHD_OPTION_LISTEN_SOCKET, e->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->daemon) {
		fprintf(s->opts.err, "ebpfq: --export %s: cannot start serving metrics\n", s->opts.export_addr);
		export__stop(s);
		return -EIO;
	}
	return 0;
}

void export__info(FILE *out)
{
	fprintf(out, "  --export: yes (libmicrohttpd %s)\n", MHD_get_version());
}

void export__stop(struct eq_session *s)
{
	struct exporter *e = s->exporter;
	if (!e)
		return;
	if (e->daemon)
		MHD_stop_daemon(e->daemon); /* waits for its threads; closes the socket */
	else
		close(e->listen_fd);
	free(e->order);
	free(e);
	s->exporter = NULL;
}

#endif

void session__lock(struct eq_session *s)
{
	if (s->exporter)
		pthread_mutex_lock(&s->lock);
}

void session__unlock(struct eq_session *s)
{
	if (s->exporter)
		pthread_mutex_unlock(&s->lock);
}
