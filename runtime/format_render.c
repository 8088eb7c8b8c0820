/* format_render.c - values a program sends as raw data and user space turns
 * into text, where the kernel has no way (or no business) to: IP addresses
 * (ntop), user names (username), wall-clock times (strftime), cgroup paths
 * (cgroup_path) and byte buffers (buf).  Names are looked up once and
 * remembered for the session: a map of 10,000 entries keyed by username
 * reads /etc/passwd once per user, not per entry. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "rt_internal.h"

/* ---- ntop ------------------------------------------------------------------ */

static void render__inet(FILE *out, const unsigned char *p)
{
	uint64_t family;
	memcpy(&family, p, sizeof(family));
	char text[INET6_ADDRSTRLEN] = "";
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, p + 8, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	fputs(text, out);
}

/* ---- username, cgroup_path: looked up once -------------------------------- */

struct render_name {
	uint64_t key;
	char *text;
};

struct render_cache {
	struct render_name *users, *cgroups;
	int nusers, ncgroups;
};

static const char *remember(struct render_name **names, int *n, uint64_t key, char *text)
{
	struct render_name *grown = realloc(*names, sizeof(**names) * (size_t)(*n + 1));
	if (!grown) {
		free(text);
		return "?";
	}
	*names = grown;
	grown[*n] = (struct render_name){key, text};
	return grown[(*n)++].text;
}

static const char *recall(const struct render_name *names, int n, uint64_t key)
{
	for (int i = 0; i < n; i++)
		if (names[i].key == key)
			return names[i].text;
	return NULL;
}

static struct render_cache *cache_of(struct eq_session *s)
{
	if (!s->render)
		s->render = calloc(1, sizeof(*s->render));
	return s->render;
}

/* The text of key, remembered in (names, n) if there is a session: looked
 * up the first time (look_up's malloc'd text, NULL if it has none, then the
 * number is printed). */
static void print_remembered(FILE *out, struct render_name **names, int *n, uint64_t key,
			     char *(*look_up)(uint64_t))
{
	const char *text = names ? recall(*names, *n, key) : NULL;
	if (text) {
		fputs(text, out);
		return;
	}
	char *found = look_up(key);
	if (!found)
		fprintf(out, "%" PRIu64, key);
	else if (names)
		fputs(remember(names, n, key, found), out);
	else
		fputs(found, out);
	if (found && !names)
		free(found);
}

/* The user's name, or NULL where /etc/passwd has none.  The file itself, as
 * bpftrace reads it, not NSS (getpwuid): a static ebpfq cannot load NSS's
 * modules, and a tracer should not ask a directory server per event. */
static char *user_name(uint64_t uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return NULL;
	struct passwd pw, *entry;
	char buf[4096], *name = NULL;
	while (!name && fgetpwent_r(f, &pw, buf, sizeof(buf), &entry) == 0)
		if ((uint64_t)entry->pw_uid == uid)
			name = strdup(entry->pw_name);
	fclose(f);
	return name;
}

static void render__username(FILE *out, struct eq_session *s, uint64_t uid)
{
	struct render_cache *c = s ? cache_of(s) : NULL;
	print_remembered(out, c ? &c->users : NULL, c ? &c->nusers : NULL, uid, user_name);
}

/* Where in the directory tree at dir the cgroup whose id (its directory's
 * inode number) is id is, into path (relative, starting with '/'). */
static bool find_cgroup(const char *dir, size_t root_len, uint64_t id, char *path, size_t size, int depth)
{
	struct stat st;
	if (depth > 32 || stat(dir, &st))
		return false;
	if ((uint64_t)st.st_ino == id) {
		snprintf(path, size, "%s", dir[root_len] ? dir + root_len : "/");
		return true;
	}
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	for (struct dirent *e; !found && (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[4096];
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < sizeof(sub))
			found = find_cgroup(sub, root_len, id, path, size, depth + 1);
	}
	closedir(d);
	return found;
}

/* A cgroup hierarchy: its name as bpftrace prints it ("unified" for
 * cgroup2, else its controllers or name=) and where it is mounted. */
struct hierarchy {
	char name[128], dir[512];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hierarchy *)a)->name, ((const struct hierarchy *)b)->name);
}

/* Does the hierarchy's name match cgroup_path()'s filter: a comma-separated
 * list of wildcards (NULL: every name)? */
static bool filter_takes(const char *filter, const char *name)
{
	if (!filter)
		return true;
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", filter);
	for (char *save = NULL, *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (!fnmatch(w, name, 0))
			return true;
	return false;
}

/* Every mounted hierarchy's path of the cgroup, as bpftrace 0.17 prints it:
 * "unified:/user.slice,cpu:/,..." - cgroup2 first, then the others by name,
 * those where the id names a cgroup (and the filter takes). */
static char *cgroup_text_filtered(uint64_t id, const char *filter)
{
	struct hierarchy h[32];
	int n = 0;
	FILE *mounts = fopen("/proc/mounts", "r");
	char line[1024];
	while (mounts && n < 32 && fgets(line, sizeof(line), mounts)) {
		char dev[128], dir[512], type[32], opts[512];
		if (sscanf(line, "%127s %511s %31s %511s", dev, dir, type, opts) != 4)
			continue;
		if (!strcmp(type, "cgroup2")) {
			snprintf(h[n].name, sizeof(h[n].name), "unified");
		} else if (!strcmp(type, "cgroup")) {
			/* the options that name it: controllers, name=X */
			char name[128] = "";
			for (char *save = NULL, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
				if (!strcmp(o, "rw") || !strcmp(o, "ro") || !strncmp(o, "relatime", 8) ||
				    !strncmp(o, "no", 2) || (strchr(o, '=') && strncmp(o, "name=", 5)))
					continue;
				const char *word = strncmp(o, "name=", 5) ? o : o + 5;
				size_t used = strlen(name);
				snprintf(name + used, sizeof(name) - used, "%s%s", used ? "," : "", word);
			}
			snprintf(h[n].name, sizeof(h[n].name), "%s", name);
		} else {
			continue;
		}
		snprintf(h[n].dir, sizeof(h[n].dir), "%s", dir);
		n++;
	}
	if (mounts)
		fclose(mounts);
	int unified = -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(h[i].name, "unified"))
			unified = i;
	if (unified > 0) { /* first, the rest sorted */
		struct hierarchy u = h[unified];
		memmove(&h[1], &h[0], sizeof(h[0]) * (size_t)unified);
		h[0] = u;
	}
	qsort(&h[unified >= 0], (size_t)(n - (unified >= 0)), sizeof(h[0]), by_name);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return NULL;
	bool any = false;
	for (int i = 0; i < n; i++) {
		char path[4096];
		if (filter_takes(filter, h[i].name) && find_cgroup(h[i].dir, strlen(h[i].dir), id, path, sizeof(path), 0)) {
			fprintf(mem, "%s%s:%s", any ? "," : "", h[i].name, path);
			any = true;
		}
	}
	fclose(mem);
	return text;
}

static char *cgroup_text(uint64_t id)
{
	return cgroup_text_filtered(id, NULL);
}

/* Remembered by id; a filtered path is looked up each time */
static void render__cgroup_path(FILE *out, struct eq_session *s, uint64_t id, const char *filter)
{
	if (filter) {
		char *text = cgroup_text_filtered(id, filter);
		fputs(text ? text : "", out);
		free(text);
		return;
	}
	struct render_cache *c = s ? cache_of(s) : NULL;
	print_remembered(out, c ? &c->cgroups : NULL, c ? &c->ncgroups : NULL, id, cgroup_text);
}

void render__free(struct eq_session *s)
{
	struct render_cache *c = s->render;
	if (!c)
		return;
	for (int i = 0; i < c->nusers; i++)
		free(c->users[i].text);
	for (int i = 0; i < c->ncgroups; i++)
		free(c->cgroups[i].text);
	free(c->users);
	free(c->cgroups);
	free(c);
	s->render = NULL;
}

/* ---- strftime ---------------------------------------------------------------- */

/* A time the program took (nsecs: CLOCK_MONOTONIC nanoseconds) as the wall
 * clock said it then: now's real time less how long ago it was. */
static void render__time(FILE *out, const char *fmt, uint64_t ns)
{
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	int64_t ago = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec - (int64_t)ns;
	int64_t then = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec - ago;
	struct timespec when = {.tv_sec = then / 1000000000, .tv_nsec = then % 1000000000};
	if (when.tv_nsec < 0) {
		when.tv_sec--;
		when.tv_nsec += 1000000000;
	}
	char text[1024];
	size_t len = time__format(text, sizeof(text), fmt, &when);
	fwrite(text, 1, len, out);
}

/* ---- buf ------------------------------------------------------------------------ */

/* `len` bytes as bpftrace's %r prints them: printable ASCII as it is, the
 * rest \xNN. */
static void render__buf(FILE *out, const unsigned char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] < 32 || p[i] > 126)
			fprintf(out, "\\x%02x", p[i]);
		else
			fputc(p[i], out);
	}
}

void render__text(FILE *out, struct eq_session *s, const struct eq_field *f, const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	switch ((enum eq_text)f->text) {
	case EQ_TEXT_INET: render__inet(out, p); return;
	case EQ_TEXT_USERNAME: render__username(out, s, v); return;
	case EQ_TEXT_CGROUP: render__cgroup_path(out, s, v, f->format); return;
	case EQ_TEXT_TIME: render__time(out, f->format ? f->format : "", v); return;
	case EQ_TEXT_BUF: render__buf(out, p + 8, v < f->size - 8 ? (uint32_t)v : f->size - 8); return;
	}
}
