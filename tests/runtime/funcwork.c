/* funcwork.c - a workload for the function tests: a function with more
 * arguments than registers (sarg0.. read the rest from the stack), and one
 * a probe may signal before the program says it survived.  `funcwork
 * loop` calls tick() every 10 ms until it is killed, for probes that
 * attach to a running process (-p); `funcwork thread` starts a thread. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) long stack_args(long a, long b, long c, long d, long e, long f, long g,
					  long h)
{
	__asm__ volatile("" ::: "memory");
	return a + b + c + d + e + f + g + h;
}

__attribute__((noinline)) void victim(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void tick(void)
{
	__asm__ volatile("" ::: "memory");
}

static void *thread_main(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "thread")) {
		pthread_t t;
		pthread_create(&t, NULL, thread_main, NULL);
		pthread_join(t, NULL);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "loop"))
		for (;;) {
			tick();
			usleep(10000);
		}
	volatile long sum = stack_args(1, 2, 3, 4, 5, 6, 70, 80);
	(void)sum;
	victim();
	printf("survived\n");
	return 0;
}
