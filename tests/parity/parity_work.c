/* parity_work.c - the workload of the tests/parity cases on user probes: the
 * same calls in the same order on every run, for the cases to count.  It
 * prints nothing (its stdout is the tracer's), and is built with -O0 so that
 * every call and argument stays as written. */
#include <string.h>

/* noinline and an empty asm: each call stays a call to probe */
__attribute__((noinline)) long op(long key, long value)
{
	__asm__ volatile("");
	return key + value;
}

__attribute__((noinline)) int named(const char *name, long n)
{
	__asm__ volatile("");
	return (int)(n + (long)strlen(name));
}

/* never called: its probes never fire */
__attribute__((noinline)) long never(long x)
{
	__asm__ volatile("");
	return x;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"alpha", "beta", "beta", "gamma-longer", "gamma-longer",
					    "gamma-longer"};
	char name[32];
	(void)argv;
	/* key k is called k + 2 times: no two keys count, nor sum, the same */
	for (long k = 0; k < 5; k++)
		for (long j = 0; j < k + 2; j++)
			op(k, k * 1000 + j * j * 37 - 200);
	op(9, -1); /* read as unsigned: 2^64 - 1 */
	for (int i = 0; i < 6; i++) {
		strcpy(name, names[i]); /* on the stack: resident when a probe reads it */
		named(name, i + 1);
	}
	if (argc > 5)
		never(argc);
	return 0;
}
