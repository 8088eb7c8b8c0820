/* perf.c - interval:UNIT:N, profile:UNIT:N, software:EVENT[:PERIOD] and
 * hardware:EVENT[:PERIOD]: programs run by sampling perf events, on one CPU
 * (interval) or every CPU (the others).  Their context is the sample's
 * registers, which the language does not expose: no argN, no retval.
 */
#include "probes.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

enum { INTERVAL, PROFILE, SOFTWARE, HARDWARE };

struct perf_event_name {
	const char *name, *alias;
	uint64_t config;
	uint64_t default_period;
};

static const struct perf_event_name software_events[] = {
	{"cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000},
	{"task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000},
	{"page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100},
	{"context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
	{"cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1},
	{"minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
	{"major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
	{"alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
	{"emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1},
	{"dummy", NULL, PERF_COUNT_SW_DUMMY, 1},
	{NULL, NULL, 0, 0},
};

static const struct perf_event_name hardware_events[] = {
	{"cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000},
	{"instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000},
	{"cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000},
	{"cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000},
	{"branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000},
	{"branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000},
	{"bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000},
	{"frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000},
	{"backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000},
	{"ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000},
	{NULL, NULL, 0, 0},
};

/* The names of the software or hardware events, NULL-terminated into
 * names[max]: the one list resolving and -l both read. */
enum { MAX_PERF_EVENTS = 16 };
static int perf_event_names(bool hardware, const char **names, int max)
{
	const struct perf_event_name *t = hardware ? hardware_events : software_events;
	int n = 0;
	for (; t[n].name && n < max - 1; n++)
		names[n] = t[n].name;
	names[n] = NULL;
	return n;
}

/* A positive count; reports and returns 0 if text is not one. */
static uint64_t parse_count(struct probe_resolve *r, const char *text, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (!*text || *end || errno || v == 0 || *text == '-') {
		diag_error(r->diag, r->spec->loc, "%s must be a positive whole number, not '%s'", what, text);
		return 0;
	}
	return v;
}

static void add_perf_point(struct probe_resolve *r, const char *kind, const char *rest, struct eq_perf perf)
{
	struct attach_point p = {
		.probe_name = arena_printf(r->arena, "%s:%s", kind, rest),
		.func = arena_strdup(r->arena, rest),
		.attach = EQ_ATTACH_PERF_EVENT,
		.prog_type = BPF_PROG_TYPE_PERF_EVENT,
		.target = arena_printf(r->arena, "%s:%s", kind, rest),
		.ctx = CTX_PERF_EVENT,
		.perf = perf,
	};
	p.note = arena_printf(r->arena, "perf event type %u config %llu, %s %llu%s", perf.type,
			      (unsigned long long)perf.config, perf.freq ? "frequency" : "period",
			      (unsigned long long)perf.period, perf.every_cpu ? ", every CPU" : ", CPU 0");
	probe_add_point(r, p);
}

/* interval:UNIT:N (one CPU) and profile:UNIT:N (every CPU); UNIT s, ms, us
 * or hz.  Both run on the cpu-clock software event. */
static int resolve_timer(struct probe_resolve *r, const struct probe_kind *k, const char *rest)
{
	bool every_cpu = k->variant == PROFILE;
	const char *kind = every_cpu ? "profile" : "interval";
	const char *colon = strchr(rest, ':');
	char unit[8] = "";
	if (colon && (size_t)(colon - rest) < sizeof(unit))
		snprintf(unit, sizeof(unit), "%.*s", (int)(colon - rest), rest);
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{"s", 1000000000ull}, {"ms", 1000000}, {"us", 1000}, {"hz", 0},
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit))
			continue;
		uint64_t n = parse_count(r, colon + 1, units[i].ns ? "the period" : "the rate");
		if (!n)
			return -1;
		struct eq_perf perf = {.type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK,
				       .every_cpu = every_cpu};
		if (!units[i].ns && every_cpu) {
			perf.freq = true; /* the kernel spreads samples over each second */
			perf.period = n;
		} else {
			perf.period = units[i].ns ? n * units[i].ns : 1000000000ull / n;
			if (!perf.period)
				perf.period = 1;
		}
		add_perf_point(r, kind, rest, perf);
		return 0;
	}
	diag_error(r->diag, r->spec->loc, "%s %s probe is written %s:s|ms|us|hz:N", every_cpu ? "a" : "an", kind, kind);
	return -1;
}

/* software:EVENT[:PERIOD] and hardware:EVENT[:PERIOD], on every CPU. */
static int resolve_counter(struct probe_resolve *r, const struct probe_kind *k, const char *rest)
{
	bool hardware = k->variant == HARDWARE;
	const char *kind = hardware ? "hardware" : "software";
	const struct perf_event_name *table = hardware ? hardware_events : software_events;
	const char *colon = strchr(rest, ':');
	char *event = arena_strndup(r->arena, rest, colon ? (size_t)(colon - rest) : strlen(rest));
	for (int i = 0; table[i].name; i++) {
		if (strcmp(event, table[i].name) && (!table[i].alias || strcmp(event, table[i].alias)))
			continue;
		uint64_t period = colon && colon[1] ? parse_count(r, colon + 1, "the period")
						    : table[i].default_period;
		if (!period)
			return -1;
		struct eq_perf perf = {.type = hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
				       .config = table[i].config, .period = period, .every_cpu = true};
		add_perf_point(r, kind, rest, perf);
		return 0;
	}
	diag_error(r->diag, r->spec->loc, "unknown %s event '%s'", kind, event);
	const char *names[MAX_PERF_EVENTS];
	perf_event_names(hardware, names, MAX_PERF_EVENTS);
	const char *close = diag_closest(event, names);
	if (close)
		diag_hint(r->diag, r->spec->loc, "did you mean `%s`?", close);
	else
		diag_hint(r->diag, r->spec->loc, "`ebpfq -l '%s:*'` lists them", kind);
	return -1;
}


/* ---- -l ---------------------------------------------------------------------- */

static int list_events(const struct probe_list *l, const char *kind, bool hardware)
{
	if (!probe_list_kind_may_match(l->pattern, kind))
		return 0;
	const char *events[MAX_PERF_EVENTS];
	perf_event_names(hardware, events, MAX_PERF_EVENTS);
	int found = 0;
	for (int i = 0; events[i]; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s:%s:", kind, events[i]);
		found += probe_list_name(l, name);
	}
	return found;
}

/* hardware events are listed whether or not this machine has a PMU, as
 * bpftrace does */
static int list_perf_events(const struct probe_list *l)
{
	return list_events(l, "software", false) + list_events(l, "hardware", true);
}

static const struct probe_kind kinds[] = {
	{"interval", NULL, "i", resolve_timer, INTERVAL},
	{"profile", NULL, "p", resolve_timer, PROFILE},
	{"software", NULL, "s", resolve_counter, SOFTWARE},
	{"hardware", NULL, "h", resolve_counter, HARDWARE},
	{NULL},
};

static const struct probe_context sample = {
	CTX_PERF_EVENT, "interval, profile, software and hardware probes", NULL, NULL,
};
static const struct probe_context *const contexts[] = {&sample, NULL};

const struct probe_provider probes_perf = {
	.family = "perf",
	.kinds = kinds,
	.contexts = contexts,
	.list = list_perf_events,
};
