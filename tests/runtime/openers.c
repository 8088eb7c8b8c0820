/* openers.c - a workload: opens /etc/hostname N times (default 50). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	/* the path on the stack, so the page is present when a probe reads it
	 * (BPF cannot fault a page in) */
	char path[] = "/etc/hostname";
	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
