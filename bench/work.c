/* bench/work.c - the workload of bench/mapprint.sh and bench/export.sh,
 * built by them into their scratch directory:
 *   work N      call f(0) .. f(N-1), the function their uprobes trace
 *   work stamp  read stdin to its end, then print when its last byte came
 *               (ns, CLOCK_REALTIME) and how many lines began with @
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) void f(long i) { __asm__ volatile("" : : "r"(i) : "memory"); }

int main(int argc, char **argv)
{
	if (argc > 1 && argv[1][0] == 's') {
		char buf[1 << 16];
		long keys = 0;
		int at_start = 1;
		ssize_t n;
		struct timespec last = {0, 0};
		while ((n = read(0, buf, sizeof(buf))) > 0) {
			clock_gettime(CLOCK_REALTIME, &last);
			for (ssize_t k = 0; k < n; k++) {
				keys += at_start && buf[k] == '@';
				at_start = buf[k] == '\n';
			}
		}
		printf("%lld %ld\n", (long long)last.tv_sec * 1000000000LL + last.tv_nsec, keys);
		return 0;
	}
	for (long i = 0, n = argc > 1 ? atol(argv[1]) : 0; i < n; i++)
		f(i);
	return 0;
}
