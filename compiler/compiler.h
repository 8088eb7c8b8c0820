/* compiler.h - the compiler library's entry points (libebpfq-compiler.a).
 *
 * The library turns script text into an eq_image.  It never calls bpf(): what
 * it needs to know about the running kernel (does it have kprobes? where is
 * tracefs?) comes in through eq_target, filled by the caller.
 */
#ifndef EBPFQ_COMPILER_H
#define EBPFQ_COMPILER_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "image.h"

/* What the compiler may assume about the kernel the image will run on. */
struct eq_target {
	bool has_kprobes;        /* kprobe attach works (else sys_ falls back to tracepoints) */
	const char *tracefs;     /* "/sys/kernel/tracing"; NULL: do not consult tracefs */
	const char *kernel_btf;  /* "/sys/kernel/btf/vmlinux" for fentry/fexit; NULL: none */
	int child_pid;           /* -c: user probes fire only in this process; 0: none */
	int pid;                 /* -p PID, or 0: where watchpoints are set */
	const char *command;     /* -c CMD as given, also when it is not started (-d): the
	                            binary of watchpoint:FUNCTION+argN is its first word */
	bool unsafe;             /* --unsafe: uprobes at FUNC+OFFSET, unchecked */
	int ncpus;               /* possible CPUs (0: EQ_DEFAULT_NCPUS): the bound of the loop
	                            that sums an aggregation's per-CPU values in a program */
	int max_stack;           /* the most frames a stack may hold
	                            (kernel.perf_event_max_stack; 0: unknown) */
	int syscall_dispatch_min; /* run syscall tracepoints through one raw_syscalls
	                            program per direction when a script has at least
	                            this many (0: the default, 8) */
};

enum { EQ_DEFAULT_NCPUS = 64, EQ_DEFAULT_MAP_KEYS = 4096 };

enum eq_dump {
	EQ_DUMP_AST = 1 << 0,
	EQ_DUMP_IR = 1 << 1,
	EQ_DUMP_BPF = 1 << 2,
	EQ_DUMP_LLVM = 1 << 3, /* the llvm back end's LLVM IR, before and after -O2 */
};

/* Which code generator turns the IR into instructions. */
enum eq_backend {
	EQ_BACKEND_NATIVE, /* regalloc.c + emit.c */
	EQ_BACKEND_LLVM,   /* llvm_backend.c: LLVM's BPF target (configure --with-llvm) */
};

struct eq_compile_opts {
	const struct eq_source *src;
	struct eq_target target;
	int strlen;          /* string buffer size (64) */
	int map_keys;        /* the most keys a map with keys holds (EQ_DEFAULT_MAP_KEYS) */
	unsigned dump;       /* enum eq_dump bits */
	FILE *dump_out;      /* where -d output goes */
	FILE *diag_out;      /* where diagnostics go */
	int filter_pid;      /* -p: probes other than BEGIN/END fire only for this process */
	int helper_errors;   /* -k 1, -kk 2: a failed helper call sends an event (lower.c) */
	bool aot;            /* --aot: -p and -c are read at run time (eq_image.aot) */
	enum eq_backend backend;
	int nparams;         /* positional parameters $1.. */
	const char *const *params;
};

/* Was the llvm back end built in (configure --with-llvm)? */
bool eq_llvm_backend_built(void);

/* Compile; returns 0 and *out, or the number of errors (already reported). */
int eq_compile(const struct eq_compile_opts *opts, struct eq_image **out);

/* `-l [PATTERN]`: print the probes matching pattern (NULL: all) that each
 * probe family lists: tracepoints (from tracefs, which tracefs() finds or
 * mounts, called only if a tracepoint may match), software and hardware
 * events, and for `uprobe:PATH:PATTERN` / `usdt:PATH:PATTERN` a binary's
 * functions or USDT probes.  Returns how many, or -1 after a message. */
int eq_list_probes(FILE *out, FILE *err, const char *pattern, const char *(*tracefs)(void), int pid,
		   bool verbose);

/* `--aot FILE.o`: write the image as a BPF ELF object (compiler/object_write.c,
 * doc/HACKING.md "The object format"); params are the script arguments $1..
 * were folded in with, recorded if the script reads them.  Refuses, with the
 * reason, a program that cannot run on another machine.  0, or -1 after a
 * message on err (and no file left behind). */
int eq_object_write(const struct eq_image *img, const char *path, int nparams, const char *const *params,
		    FILE *err);

/* ---- back-end utilities, usable on any instruction array ------------- */

/* Print one instruction in the kernel verifier-log syntax
 * ("r1 = *(u64 *)(r10 -8)").  Returns the number of slots it used (2 for
 * BPF_LD_IMM64).  map_names, if given, names the map of a BPF_PSEUDO_MAP_FD
 * load by the reference table. */
int bpf_insn_print(FILE *out, const struct bpf_insn *insns, uint32_t index, uint32_t count);
/* Print a whole program, one instruction per line, with its index and the
 * script line each instruction comes from. */
void bpf_prog_print(FILE *out, const struct eq_image *img, const struct eq_prog *prog);

/* Our own check of the kernel verifier's rules over one program of the
 * image: registers and stack read only after written, stack within 512
 * bytes, jump targets in range, map values null-checked before use, R0 set
 * before exit.  Returns 0, or -1 after reporting each violation as
 * "internal error" naming the script line of the offending instruction.
 * Its tables come from `scratch`, which it empties first (arena_reset):
 * nothing there may be wanted after the call. */
int vcheck_prog(struct arena *scratch, const struct eq_image *img, const struct eq_prog *prog,
		struct eq_diag *diag);

#endif
