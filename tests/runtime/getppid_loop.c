/* getppid_loop.c - a workload: calls getppid() N times (default 1000). */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* not cached by libc: each is a system call */
	return 0;
}
