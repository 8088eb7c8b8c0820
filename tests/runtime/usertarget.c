/* usertarget.c - a workload for user probes: plain functions with known
 * arguments and return values, a C++-style mangled name, and USDT probes
 * (one guarded by a semaphore). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* With semaphores, every probe of this file names one; the kernel raises a
 * probe's semaphore while a tracer has a uprobe on it. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
unsigned short ebpfq_target_tick_semaphore __attribute__((section(".probes"), used));
unsigned short ebpfq_target_guarded_semaphore __attribute__((section(".probes"), used));
#define EBPFQ_TARGET_GUARDED_ENABLED() __builtin_expect(ebpfq_target_guarded_semaphore, 0)

__attribute__((noinline)) long add_numbers(long a, long b, int c)
{
	__asm__ volatile("" ::: "memory");
	return a + b + c;
}

__attribute__((noinline)) int square(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * x;
}

/* what g++ names `int ns::triple(int)` */
__attribute__((noinline)) int _ZN2ns6tripleEi(int x) __asm__("_ZN2ns6tripleEi");
int _ZN2ns6tripleEi(int x)
{
	__asm__ volatile("" ::: "memory");
	return 3 * x;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	long total = 0;
	for (int i = 1; i <= rounds; i++) {
		long local = 1000 + i;
		total += add_numbers(i, 10 * i, -i);
		total += square(i + 1);
		total += _ZN2ns6tripleEi(i);
		DTRACE_PROBE3(ebpfq_target, tick, i, local, -i);
		if (EBPFQ_TARGET_GUARDED_ENABLED())
			DTRACE_PROBE1(ebpfq_target, guarded, 7 * i);
	}
	printf("total %ld\n", total);
	return 0;
}
