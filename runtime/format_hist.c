/* format_hist.c - hist() and lhist() rows, as bpftrace 0.17 prints them:
 *
 *   [4, 8)                12 |@@@@@@@@@@@@@@                                      |
 *
 * a 16-wide label, an 8-wide count and a 52-wide bar scaled to the largest
 * bucket; rows from the first to the last non-empty bucket.  In JSON, one
 * {"min": .., "max": .., "count": ..} object per row. */
#include <inttypes.h>
#include <string.h>

#include "rt_internal.h"

enum { BAR_WIDTH = 52 };

/* 2^power with bpftrace's suffixes: 512, 1K, 2M, 4G, 8T. */
static void power_label(char *buf, size_t size, int power)
{
	static const char suffix[] = {0, 'K', 'M', 'G', 'T'};
	int unit = power >= 40 ? 4 : power / 10;
	snprintf(buf, size, "%" PRIu64 "%.1s", (uint64_t)1 << (power - 10 * unit),
		 unit ? &suffix[unit] : "");
}

/* A linear bucket's edge: bpftrace shortens exact multiples of 1M and 1K. */
static void number_label(char *buf, size_t size, int64_t n)
{
	if (n != 0 && n % 1048576 == 0)
		snprintf(buf, size, "%" PRId64 "M", n / 1048576);
	else if (n != 0 && n % 1024 == 0)
		snprintf(buf, size, "%" PRId64 "K", n / 1024);
	else
		snprintf(buf, size, "%" PRId64, n);
}

/* The label of bucket i: "(..., 0)", "[0]", "[1]", "[2, 4)" for hist;
 * "(..., MIN)", "[A, B)", "[MAX, ...)" for lhist. */
static void bucket_label(const struct eq_map *m, int i, int nbuckets, char *buf, size_t size)
{
	char a[32], b[32];
	if (m->value_kind == EQ_VALUE_HIST) {
		if (i <= 2) {
			snprintf(buf, size, "%s", i == 0 ? "(..., 0)" : i == 1 ? "[0]" : "[1]");
			return;
		}
		power_label(a, sizeof(a), i - 2);
		power_label(b, sizeof(b), i - 1);
		snprintf(buf, size, "[%s, %s)", a, b);
		return;
	}
	if (i == 0) {
		number_label(a, sizeof(a), m->lhist_min);
		snprintf(buf, size, "(..., %s)", a);
	} else if (i == nbuckets - 1) {
		number_label(a, sizeof(a), m->lhist_max);
		snprintf(buf, size, "[%s, ...)", a);
	} else {
		number_label(a, sizeof(a), m->lhist_min + (int64_t)(i - 1) * m->lhist_step);
		number_label(b, sizeof(b), m->lhist_min + (int64_t)i * m->lhist_step);
		snprintf(buf, size, "[%s, %s)", a, b);
	}
}

/* The rows shown: from the first to the last non-empty bucket; false if
 * every bucket is empty. */
static bool shown_rows(const uint64_t *buckets, int n, int *first, int *last, uint64_t *most)
{
	*first = -1, *last = -1, *most = 0;
	for (int i = 0; i < n; i++) {
		if (!buckets[i])
			continue;
		if (*first < 0)
			*first = i;
		*last = i;
		if (buckets[i] > *most)
			*most = buckets[i];
	}
	return *first >= 0;
}

void hist__print(FILE *out, const struct eq_map *m, const uint64_t *buckets, uint32_t div)
{
	int n = map__buckets(m), first, last;
	uint64_t most;
	if (!shown_rows(buckets, n, &first, &last, &most))
		return;
	if (m->value_kind == EQ_VALUE_LHIST)
		div = 1; /* bpftrace divides hist counts only */
	for (int i = first; i <= last; i++) {
		char label[80], bar[BAR_WIDTH + 1];
		bucket_label(m, i, n, label, sizeof(label));
		/* bpftrace scales in float and truncates */
		int width = (int)((float)buckets[i] / (float)most * BAR_WIDTH);
		memset(bar, '@', (size_t)width);
		memset(bar + width, ' ', (size_t)(BAR_WIDTH - width));
		bar[BAR_WIDTH] = 0;
		fprintf(out, "%-16s%8" PRIu64 " |%s|\n", label, buckets[i] / div, bar);
	}
}

void hist__print_json(FILE *out, const struct eq_map *m, const uint64_t *buckets, uint32_t div)
{
	int n = map__buckets(m), first, last;
	uint64_t most;
	fputc('[', out);
	if (!shown_rows(buckets, n, &first, &last, &most)) {
		fputc(']', out);
		return;
	}
	bool lhist = m->value_kind == EQ_VALUE_LHIST;
	if (lhist)
		div = 1;
	for (int i = first; i <= last; i++) {
		fputs(i > first ? ", {" : "{", out);
		if (i == 0 && !lhist)
			fputs("\"max\": -1, ", out);
		else if (i == 0)
			fprintf(out, "\"max\": %" PRId64 ", ", m->lhist_min - 1);
		else if (lhist && i == n - 1)
			fprintf(out, "\"min\": %" PRId64 ", ", m->lhist_max);
		else if (lhist)
			fprintf(out, "\"min\": %" PRId64 ", \"max\": %" PRId64 ", ",
				m->lhist_min + (int64_t)(i - 1) * m->lhist_step,
				m->lhist_min + (int64_t)i * m->lhist_step - 1);
		else if (i <= 2)
			fprintf(out, "\"min\": %d, \"max\": %d, ", i - 1, i - 1);
		else
			fprintf(out, "\"min\": %" PRIu64 ", \"max\": %" PRIu64 ", ", (uint64_t)1 << (i - 2),
				((uint64_t)1 << (i - 1)) - 1);
		fprintf(out, "\"count\": %" PRIu64 "}", buckets[i] / div);
	}
	fputc(']', out);
}
