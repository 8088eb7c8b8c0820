/* aggwork.c - a workload for aggregation tests: calls the noinline
 * function f(x, key) N times with x going round the values given, so a
 * uprobe on f reading arg0 and arg1 sees exactly known numbers.
 *
 *   aggwork [-n NAME] [-k KEY] [-s] [-g M] [-t] [-e WORD] [N V1 [V2...]]
 *
 * (options end at N, so the values may be negative)
 *
 *   -n NAME  take NAME as the task's comm (prctl PR_SET_NAME)
 *   -k KEY   pass KEY as f's second argument (default 0)
 *   -s       spread the calls over the CPUs: before call i, move to CPU
 *            i % CPUs (sched_setaffinity), so a per-CPU value is split
 *   -g M     after the N calls, call g(M) M times
 *   -t       call text(s) once, before f, with a string holding a
 *            quote, a backslash, a newline, a tab, control bytes, a valid
 *            multi-byte UTF-8 character and bytes that are not UTF-8
 *   -e WORD  print WORD on stdout (the traced command's own output)
 *
 * Without values, call i gets x = i.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((noinline)) long f(long x, long key)
{
	__asm__ volatile("" ::: "memory");
	return x + key;
}

__attribute__((noinline)) long g(long m)
{
	__asm__ volatile("" ::: "memory");
	return m;
}

__attribute__((noinline)) long text(const char *s)
{
	__asm__ volatile("" ::: "memory");
	return s[0];
}

static void move_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("aggwork: sched_setaffinity");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long key = 0, calls_g = 0;
	int spread = 0, opt;
	while ((opt = getopt(argc, argv, "+n:k:sg:te:")) != -1) {
		switch (opt) {
		case 'n': prctl(PR_SET_NAME, optarg, 0, 0, 0); break;
		case 'k': key = atol(optarg); break;
		case 's': spread = 1; break;
		case 'g': calls_g = atol(optarg); break;
		case 't': {
			/* on the stack, so the page is present when the probe reads it */
			char s[] = "q\"b\\n\nt\tc\001\037d\177e\303\251x\377y\300z";
			text(s);
			break;
		}
		case 'e': printf("%s\n", optarg); break;
		default:
			fprintf(stderr, "usage: aggwork [-n NAME] [-k KEY] [-s] [-g M] [-t] [-e WORD] [N V...]\n");
			return 2;
		}
	}
	if (optind >= argc)
		return 0;
	long n = atol(argv[optind++]);
	int nvalues = argc - optind;
	long *values = calloc((size_t)(nvalues > 0 ? nvalues : 1), sizeof(long));
	for (int i = 0; i < nvalues; i++)
		values[i] = atol(argv[optind + i]);
	int ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long total = 0;
	for (long i = 0; i < n; i++) {
		if (spread && ncpus > 1)
			move_to((int)(i % ncpus));
		total += f(nvalues ? values[i % nvalues] : i, key);
	}
	for (long i = 0; i < calls_g; i++)
		total += g(calls_g);
	free(values);
	volatile long sink = total; /* the calls' results are used */
	(void)sink;
	return 0;
}
