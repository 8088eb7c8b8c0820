/* syscall_numbers.c - a workload: makes the system calls whose numbers
 * ebpfq cannot take from its build's <asm/unistd.h> by the event's name
 * (syscall_dispatch.c's renamed and newer calls), each in a child of its
 * own with harmless arguments, so a probe on each can say which number the
 * kernel gave it.  A child killed by the call (x86-64's uprobe and
 * uretprobe calls raise SIGILL outside a probe trampoline) is fine. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void call(long nr, long a0, long a1)
{
	pid_t child = fork();
	if (child == 0) {
		syscall(nr, a0, a1, 0L, 0L, 0L, 0L);
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
}

int main(void)
{
	static char buf[4096];
	/* renamed: the event is named after the kernel function */
	call(SYS_uname, (long)buf, 0);          /* sys_enter_newuname */
	call(SYS_fstat, 0, (long)buf);          /* sys_enter_newfstat */
	call(SYS_sendfile, -1, -1);             /* sys_enter_sendfile64 */
	call(SYS_umount2, (long)"/nonexistent", 0); /* sys_enter_umount */
#ifdef SYS_stat
	call(SYS_stat, (long)"/", (long)buf);   /* sys_enter_newstat */
	call(SYS_lstat, (long)"/", (long)buf);  /* sys_enter_newlstat */
#endif
	/* newer than the build's headers: numbers 451.. alike everywhere */
	for (long nr = 451; nr <= 469; nr++)
		if (nr != 453) /* map_shadow_stack: no event where there is no shadow stack */
			call(nr, -1, 0);
#if defined(__x86_64__)
	call(335, 0, 0); /* uretprobe */
	call(336, 0, 0); /* uprobe */
#endif
	return 0;
}
