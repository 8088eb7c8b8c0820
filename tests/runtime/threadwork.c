/* threadwork.c - a workload: starts N threads (default 2) in the function
 * worker, one after the other, and waits for each.  It then lives 300 ms
 * more, so that ebpfq reads its memory map while it is there: usym() of a
 * process that ended at once would print hex. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

void *worker(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, NULL))
			return 1;
		pthread_join(t, NULL);
	}
	usleep(300000);
	return 0;
}
