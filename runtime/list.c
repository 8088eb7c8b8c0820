/* list.c - `ebpfq -l [PATTERN]`: the probes this machine offers.
 *
 * Reads only what the pattern can match: tracepoints come from tracefs
 * available_events (one line per event), software and hardware events from
 * the compiler's list, which the caller passes.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* A pattern without wildcards or a kind matches as a substring. */
static bool matches(const char *pattern, const char *name)
{
	if (!pattern || !*pattern)
		return true;
	if (!strpbrk(pattern, "*?[") && !strchr(pattern, ':'))
		return strstr(name, pattern) != NULL;
	return fnmatch(pattern, name, 0) == 0;
}

static int list_events(FILE *out, const char *pattern, const char *kind, const char *const *events)
{
	int found = 0;
	for (int i = 0; events[i]; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s:%s:", kind, events[i]);
		if (matches(pattern, name) && ++found)
			fprintf(out, "%s\n", name);
	}
	return found;
}

static bool kind_may_match(const char *pattern, const char *kind)
{
	if (!pattern || !strchr(pattern, ':'))
		return true;
	size_t n = strcspn(pattern, ":");
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%.*s", (int)n, pattern);
	return fnmatch(prefix, kind, 0) == 0;
}

int rt_list_probes(FILE *out, FILE *err, const char *pattern, const char *const *software_events,
		   const char *const *hardware_events)
{
	int found = 0;
	if (kind_may_match(pattern, "tracepoint")) {
		const char *tracefs = rt_tracefs_dir();
		char path[512], line[512], name[600];
		snprintf(path, sizeof(path), "%s/available_events", tracefs ? tracefs : "");
		FILE *f = tracefs ? fopen(path, "r") : NULL;
		if (!f)
			fprintf(err, "ebpfq: cannot list tracepoints: tracefs is not available (need root)\n");
		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(name, sizeof(name), "tracepoint:%s", line);
			if (matches(pattern, name) && ++found)
				fprintf(out, "%s\n", name);
		}
		if (f)
			fclose(f);
	}
	if (kind_may_match(pattern, "software"))
		found += list_events(out, pattern, "software", software_events);
	/* listed whether or not this machine has a PMU, as bpftrace does */
	if (kind_may_match(pattern, "hardware"))
		found += list_events(out, pattern, "hardware", hardware_events);
	return found;
}
