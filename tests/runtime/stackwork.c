/* stackwork.c - known call chains for the stack and symbol cases.  main
 * calls a, which calls b, which calls c; and main calls b directly.  Each
 * is noinline and the file is built with -fno-omit-frame-pointer, as the
 * kernel walks frame pointers for a user stack.  c calls getppid(), for a
 * kernel stack under the syscalls tracepoint, and writes counter, a data
 * symbol for uaddr().
 *   stackwork [A [B [MS]]]   A calls through a (1), B straight to b (0),
 *                            then MS milliseconds alive (the tracer sees
 *                            the process before it exits) */
#include <stdlib.h>
#include <unistd.h>

long counter = 1; /* in .data: file-backed, as usym() needs */

__attribute__((noinline)) long c(long x)
{
	__asm__ volatile("");
	counter += x;
	return getppid() + x;
}

__attribute__((noinline)) long b(long x)
{
	return c(x + 1) + 1;
}

__attribute__((noinline)) long a(long x)
{
	return b(x + 1) + 1;
}

int main(int argc, char **argv)
{
	long through_a = argc > 1 ? atol(argv[1]) : 1, to_b = argc > 2 ? atol(argv[2]) : 0;
	long sum = 0;
	for (long i = 0; i < through_a; i++)
		sum += a(i);
	for (long i = 0; i < to_b; i++)
		sum += b(i);
	if (argc > 3)
		usleep((useconds_t)atol(argv[3]) * 1000);
	return sum == 42;
}
