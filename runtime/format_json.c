/* format_json.c - -f json: one JSON object per line, field for field as
 * bpftrace 0.17 writes them:
 *
 *   {"type": "attached_probes", "data": {"probes": 2}}
 *   {"type": "printf", "data": "text\n"}
 *   {"type": "value", "data": [1,"a"]}
 *   {"type": "map", "data": {"@m": {"1,bash": 3}}}     ("@m": 3 without a key)
 *   {"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}]}}
 *   {"type": "stats", "data": {"@s": {"count": 2, "average": 3, "total": 7}}}
 *   {"type": "lost_events", "data": {"events": 12}}
 *
 * averages are "stats" objects too; an empty map prints nothing. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

/* One entry's value in JSON. */
void json__entry(FILE *out, const struct eq_map *m, const struct map_entry *e, uint32_t div)
{
	if (map__is_hist(m))
		hist__print_json(out, m, e->buckets, div);
	else if (m->value_kind == EQ_VALUE_STR || m->value_kind == EQ_VALUE_COMPOSITE)
		value__print(out, &m->value_field, e->value, true);
	else if (m->value_kind == EQ_VALUE_STATS)
		fprintf(out, "{\"count\": %" PRId64 ", \"average\": %" PRId64 ", \"total\": %" PRId64 "}",
			e->count, e->number, e->total);
	else
		entry__print_number(out, m, e, div);
}

static const char *message_type(const struct eq_map *m)
{
	if (map__is_hist(m))
		return "hist";
	if (m->value_kind == EQ_VALUE_STATS || m->value_kind == EQ_VALUE_AVG)
		return "stats";
	return "map";
}

void json__map(FILE *out, const struct map_view *v, uint32_t top, uint32_t div)
{
	const struct eq_map *m = v->m;
	if (!v->count)
		return;
	fprintf(out, "{\"type\": \"%s\", \"data\": {", message_type(m));
	json__string(out, m->name, strlen(m->name));
	fputs(m->has_key ? ": {" : ": ", out);
	int first = map_view__first_shown(v, top);
	for (int i = first; i < v->count; i++) {
		if (i > first)
			fputs(", ", out);
		if (m->has_key) {
			char *k = NULL;
			size_t klen = 0;
			FILE *ks = open_memstream(&k, &klen);
			if (ks) {
				key__print(ks, m, v->entries[i].key, true);
				fclose(ks);
				json__string(out, k, klen);
			}
			free(k);
			fputs(": ", out);
		}
		json__entry(out, m, &v->entries[i], div);
	}
	fputs(m->has_key ? "}}}\n" : "}}\n", out);
}

/* {"type": TYPE, "data": {"FIELD": N}} */
void json__count(FILE *out, const char *type, const char *field, uint64_t n)
{
	fprintf(out, "{\"type\": \"%s\", \"data\": {\"%s\": %" PRIu64 "}}\n", type, field, n);
}

/* {"type": "printf", "data": "TEXT"} */
void json__text(FILE *out, const char *type, const char *text, size_t len)
{
	fprintf(out, "{\"type\": \"%s\", \"data\": ", type);
	json__string(out, text, len);
	fputs("}\n", out);
}

/* {"type": "value", "data": VALUE} */
void json__value(FILE *out, const struct eq_field *f, const void *data)
{
	fputs("{\"type\": \"value\", \"data\": ", out);
	value__print(out, f, data, true);
	fputs("}\n", out);
}
