/* runtime.h - load an eq_image into the kernel, attach it, print its output.
 *
 * The runtime knows BPF and the kernel, not the language: it reads only
 * image.h.  Functions return 0 or a negative errno and report what went
 * wrong on the session's `err` stream in the user's terms.
 */
#ifndef EBPFQ_RUNTIME_H
#define EBPFQ_RUNTIME_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "image.h"

enum eq_output_format { EQ_FORMAT_TEXT, EQ_FORMAT_JSON };

struct eq_run_opts {
	FILE *out;               /* script output (stdout) */
	FILE *err;               /* messages (stderr) */
	bool verbose;            /* -v: attach points, program sizes, verifier logs */
	bool quiet;              /* -q: no "Attaching N probes..." */
	enum eq_output_format format;
	pid_t target_pid;        /* -p / -c: 0 for none */
	pid_t filter_pid;        /* -p, 0 for none; and -c's process, 0 for none: */
	pid_t child_pid;         /* an image compiled ahead of time reads them (EQ_DATA_*_PID) */
	/* the older attachments, which detach more slowly (tests, and a kernel
	 * that misbehaves): EBPFQ_NO_UPROBE_MULTI, EBPFQ_NO_RAW_TRACEPOINTS */
	bool no_uprobe_multi;    /* uprobes through perf events, not uprobe_multi links */
	bool no_raw_tracepoints; /* tracepoints through perf events even where the
	                            program does not read the record */
	const char *export_addr; /* --export [ADDR:]PORT: serve the maps as Prometheus
	                            metrics at /metrics while tracing (export.c,
	                            doc/export.md); NULL: no */
};

struct eq_session; /* opaque: fds, links, ring buffer of one run */

/* ---- tracefs / bpffs --------------------------------------------------- */

/* Find tracefs, mounting it on /sys/kernel/tracing if it is missing and we
 * have the rights; NULL if neither works.  Also mounts bpffs if missing. */
const char *rt_tracefs_dir(void);
/* Does this kernel support kprobes?  (Checked once, cheaply, without bpf().) */
bool rt_kernel_has_kprobes(void);
/* The tracepoint's id from tracefs, or a negative errno. */
long rt_tracepoint_id(const char *tracefs, const char *category, const char *name);

/* ---- a run ----------------------------------------------------------------- */

/* How many CPUs the kernel may run (per-CPU values come in this many slots). */
int rt_possible_cpus(void);
/* The most frames the kernel keeps of a stack (kernel.perf_event_max_stack),
 * or 0 if it cannot be read. */
int rt_max_stack_frames(void);

/* Check privileges (root or CAP_BPF+CAP_PERFMON); on failure a clear message
 * and -EPERM. */
int rt_check_privileges(FILE *err);

/* Create maps, load every program (the verifier judges each one).  A
 * verifier rejection is reported with the tail of the log and the script
 * line of the failing instruction.  Nothing is attached yet. */
int rt_session_load(const struct eq_image *img, const struct eq_run_opts *opts,
		    struct eq_session **out);

/* Attach every program; on a failure detach what was attached and return
 * the error.  Prints "Attaching N probes..." unless quiet.  Runs BEGIN. */
int rt_session_attach(struct eq_session *s);

/* Poll the ring buffer and print events until exit() in the script, a
 * signal set `*stop`, or (if child > 0) that process exiting.  Returns 0. */
int rt_session_run(struct eq_session *s, volatile int *stop, pid_t child);

/* Run END, print every map, report lost events, detach and free
 * everything.  Safe on a session that was only loaded.  run_end false (the
 * -c command could not run): neither END nor the maps, as bpftrace, which
 * refuses such a command before it starts, prints none.  Returns 0, or the
 * negative errno of the first write of the script's output that failed
 * (the caller, who knows where the output goes, reports it). */
int rt_session_finish(struct eq_session *s, bool run_end);
void rt_session_free(struct eq_session *s);

/* ---- `ebpfq run FILE.o` ------------------------------------------------------------ */

/* The script arguments an object's programs were compiled with. */
struct rt_object_params {
	bool uses;           /* the script reads $1.. or $#: they are folded in */
	int n;
	const char **values; /* in the image's arena */
};

/* Read an object `ebpfq --aot` wrote (object_read.c) into an image for
 * rt_session_load.  The file is untrusted: anything wrong with it is
 * "PATH: error: ..." on err and -1. */
int rt_object_read(const char *path, FILE *err, struct eq_image **out, struct rt_object_params *params);

/* ---- --export (export.c) ------------------------------------------------------ */

/* Is text an address --export can serve on ([ADDR:]PORT, [IPV6]:PORT)?  0,
 * or -EINVAL (a bad address) or -ENOTSUP (a build without libmicrohttpd)
 * with the user's message in why.  The session's attach listens there. */
int rt_export_check(const char *text, char *why, size_t size);
/* Where this program does not serve --export itself (a static ebpfq:
 * export.c), run the one that does, ebpfq-export, with the same arguments:
 * returns only if that fails (a negative errno after a message on err);
 * else returns 0 at once. */
int rt_export_delegate(char **argv, FILE *err);

/* ---- --info -------------------------------------------------------------------- */

/* What this kernel and build support, asked of the kernel; returns 0. */
int rt_print_info(FILE *out, const char *version, const char *backends);

/* ---- output formatting (format.c), usable without a kernel ------------- */

/* Format one printf-kind record (the output's fmt and args, read from rec).
 * Stacks and symbols need a session (their maps, the symbol tables): with
 * none they print as their raw numbers. */
void fmt_printf(FILE *out, struct eq_session *s, const struct eq_output *o, const void *rec,
		uint32_t rec_size);

#endif
