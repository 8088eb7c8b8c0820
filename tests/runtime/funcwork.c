/* funcwork.c - a workload for the function tests: a function with more
 * arguments than registers (sarg0.. read the rest from the stack), and one
 * a probe may signal before the program says it survived. */
#include <stdio.h>

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

int main(void)
{
	volatile long sum = stack_args(1, 2, 3, 4, 5, 6, 70, 80);
	(void)sum;
	victim();
	printf("survived\n");
	return 0;
}
