/* tracefs.c - finding (or mounting) tracefs and bpffs, and cheap questions
 * about the kernel that need no bpf() call. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static bool has_events(const char *dir)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void mount_bpffs(void)
{
	struct statfs fs;
	if (statfs("/sys/fs/bpf", &fs) == 0 && fs.f_type == BPF_FS_MAGIC)
		return;
	mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL); /* best effort: ebpfq pins nothing yet */
}

const char *rt_tracefs_dir(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (has_events(dirs[i]))
			return dirs[i];
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 && has_events(dirs[0])) {
		mount_bpffs();
		return dirs[0];
	}
	return NULL;
}

bool rt_kernel_has_kprobes(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

long rt_tracepoint_id(const char *tracefs, const char *category, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, category, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	long id = -ENOENT;
	if (fscanf(f, "%ld", &id) != 1)
		id = -EINVAL;
	fclose(f);
	return id;
}
