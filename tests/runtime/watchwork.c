/* watchwork.c - a workload for watchpoints: one variable, `watched`, written
 * WRITES times and read READS times by the main thread, and written
 * THREAD_WRITES times by a second thread, nothing else touching it.
 *
 *   watchwork call       watch_me(&watched), then the accesses, then done()
 *   watchwork call-late  the same, a second after watch_me (for
 *                        asyncwatchpoint, which does not stop the process)
 *   watchwork wait       print &watched, wait for SIGUSR1 (ebpfq -p attaches
 *                        meanwhile), then the accesses, also the second
 *                        thread's, which exists before the signal
 *
 * `watched` is initialised data, not .bss: exec zeroes the end of .bss's
 * first page byte by byte, which a watchpoint set by -c before the exec
 * would count. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { WRITES = 5, READS = 3, THREAD_WRITES = 2 };

volatile long watched = 1;

/* where a watchpoint:...:watch_me+arg0 finds the address */
__attribute__((noinline)) void watch_me(volatile long *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* a uprobe here ends the trace */
__attribute__((noinline)) void done(long sum)
{
	__asm__ volatile("" : : "r"(sum) : "memory");
}

static long accesses(void)
{
	long sum = 0;
	for (int i = 0; i < WRITES; i++)
		watched = i;
	for (int i = 0; i < READS; i++)
		sum += watched;
	return sum;
}

static volatile sig_atomic_t go;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
static int thread_may_write;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static void *second_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!thread_may_write)
		pthread_cond_wait(&started, &lock);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < THREAD_WRITES; i++)
		watched = 100 + i;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "call";
	if (!strcmp(mode, "wait")) {
		/* blocked until sigsuspend, so that an early signal is not lost */
		sigset_t usr1, old;
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, &old);
		signal(SIGUSR1, on_usr1);
		pthread_t t;
		pthread_create(&t, NULL, second_thread, NULL);
		printf("%p\n", (void *)&watched);
		fflush(stdout);
		while (!go)
			sigsuspend(&old);
		long sum = accesses();
		pthread_mutex_lock(&lock);
		thread_may_write = 1;
		pthread_cond_signal(&started);
		pthread_mutex_unlock(&lock);
		pthread_join(t, NULL);
		done(sum);
		return 0;
	}
	watch_me(&watched);
	if (!strcmp(mode, "call-late"))
		sleep(1);
	done(accesses());
	return 0;
}
