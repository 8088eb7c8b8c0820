/* format_time.c - wall-clock times as the user asked for them: strftime(3)
 * of the local time, with %f for the microseconds, which strftime lacks. */
#include <string.h>

#include "rt_internal.h"

size_t time__format(char *buf, size_t size, const char *fmt, const struct timespec *when)
{
	/* %f first: strftime would pass it through unknown or mangle it */
	char expanded[1024];
	size_t n = 0;
	for (const char *p = fmt; *p && n + 8 < sizeof(expanded); p++) {
		if (p[0] == '%' && p[1] == 'f') {
			n += (size_t)snprintf(expanded + n, sizeof(expanded) - n, "%06ld",
					      when->tv_nsec / 1000);
			p++;
		} else if (p[0] == '%' && p[1]) { /* %% and the rest stay for strftime */
			expanded[n++] = *p++;
			expanded[n++] = *p;
		} else {
			expanded[n++] = *p;
		}
	}
	expanded[n] = 0;
	struct tm tm;
	time_t secs = when->tv_sec;
	if (!localtime_r(&secs, &tm))
		return 0;
	return strftime(buf, size, expanded, &tm);
}
