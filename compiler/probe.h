/* probe.h - probe specs to attach points, and what each probe kind's context
 * offers the program (arg0.., retval).
 *
 * Each family of probe kinds is one file of compiler/probes/, filling one
 * provider (probes/probes.h): how its specs are written and resolve into
 * attach points, how its contexts are read, what -l lists.  This header is
 * what the rest of the compiler sees of them; adding a kind touches its
 * family's file (or a new one and the registry's table) and one runtime
 * attach file.
 */
#ifndef EBPFQ_PROBE_H
#define EBPFQ_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "compiler.h"
#include "diag.h"

/* How the program reads its context. */
enum ctx_layout {
	CTX_NONE,          /* BEGIN, END */
	CTX_PT_REGS_ENTRY,  /* kprobe, uprobe: struct pt_regs, arguments */
	CTX_PT_REGS_RETURN, /* kretprobe, uretprobe: struct pt_regs, return value */
	CTX_USDT,           /* usdt: struct pt_regs, arguments by the note's specs */
	CTX_RAW_TRACEPOINT, /* rawtracepoint: u64 args[] */
	CTX_PERF_EVENT,     /* interval, profile, software, hardware */
	CTX_FENTRY,         /* fentry: u64 args[], typed from BTF (args->NAME) */
	CTX_FEXIT,          /* fexit: u64 args[], then the return value */
	CTX_SYSCALL_ENTER, /* tracepoint syscalls:sys_enter_*: args[6] at 16 */
	CTX_SYSCALL_EXIT,  /* tracepoint syscalls:sys_exit_*: ret at 16 */
	CTX_TRACEPOINT,    /* other tracepoints: args->FIELD (later) */
	CTX_WATCHPOINT,    /* watchpoints: struct bpf_perf_event_data, the registers of
	                      the code that made the access */
};

/* A tracepoint's fields, from tracefs events/CAT/NAME/format: what
 * args->FIELD reads. */
enum tp_field_kind {
	TPF_INT,      /* an integer of `size` bytes holding a C value of `bits` bits */
	TPF_CHARS,    /* char name[size] inside the record */
	TPF_DATA_LOC, /* __data_loc char[]: u32 (len << 16 | offset) to a string in the record */
	TPF_ARRAY,    /* an array of `count` integers of `size / count` bytes (__u8 daddr_v6[16]) */
};

struct tp_field {
	const char *name;
	const char *c_type;  /* as the format declares it: "const char *", "pid_t" */
	enum tp_field_kind kind;
	uint32_t offset, size;
	uint32_t count;      /* TPF_ARRAY: elements */
	uint8_t bits;
	bool is_signed;
};

struct tp_format {
	struct tp_field *items;
	int count, cap;
};

/* Where one USDT argument is, from its note spec ("-4@%edi", "8@-16(%rbp)",
 * "4@$5"): a register, memory at a register plus an offset, or a constant;
 * `size` bytes, sign-extended if is_signed. */
enum usdt_arg_kind { USDT_ARG_REG, USDT_ARG_MEM, USDT_ARG_CONST };
struct usdt_arg {
	enum usdt_arg_kind kind;
	uint32_t reg_offset; /* the register's offset in struct pt_regs */
	int64_t value;       /* USDT_ARG_MEM: the displacement; USDT_ARG_CONST: the value */
	uint8_t size;
	bool is_signed;
};

/* The operand syntax of a USDT note's argument specs (probes/usdt_args.c). */
enum usdt_arch { USDT_ARCH_X86_64, USDT_ARCH_ARM64 };
#if defined(__aarch64__)
#define USDT_ARCH_NATIVE USDT_ARCH_ARM64
#else
#define USDT_ARCH_NATIVE USDT_ARCH_X86_64
#endif
/* The length of the spec at p: up to a space outside brackets (arm64
 * writes "-4@[sp, 12]"). */
size_t usdt_spec_len(const char *p);
/* One spec, SIZE@OPERAND, into *out (register offsets in that
 * architecture's struct pt_regs); false if it cannot be read. */
bool usdt_parse_arg(enum usdt_arch arch, const char *spec, size_t len, struct usdt_arg *out);

/* One place a probe attaches: a probe with several specs or a wildcard
 * expands to several, and each becomes one BPF program. */
struct attach_point {
	const char *probe_name;   /* as `probe` prints it: "tracepoint:syscalls:sys_enter_openat" */
	const char *func;         /* what `func` gives: the function or event name */
	enum eq_attach_kind attach;
	uint32_t prog_type;
	const char *target;       /* see eq_attach_kind */
	const char *note;         /* for -v: how it attaches and why */
	enum ctx_layout ctx;
	eq_loc loc;               /* the spec in the script */
	struct tp_format *format; /* tracepoints, when the program reads args */
	uint64_t target_offset;   /* uprobes: see eq_prog */
	uint64_t ref_ctr_offset;
	struct eq_perf perf;      /* perf events */
	uint32_t target_btf_id;   /* fentry, fexit: the function's BTF id */
	int nargs;                /* fentry, fexit: how many arguments it takes */
	struct tp_field *retval;  /* fexit: the return value's type, NULL for void */
	bool user;                /* runs in a user process: -c filters on its pid */
	const struct usdt_arg *usdt_args; /* usdt: arg0.. */
	int nusdt_args;
	/* attach EQ_ATTACH_SYSCALL, a syscall tracepoint run by a dispatcher
	 * (syscall_dispatch.c): ctx stays CTX_SYSCALL_ENTER/EXIT, whose record
	 * fields the program finds through probe_syscall_source. */
	int dispatcher;           /* which one of the plan */
	uint32_t syscall_nr;      /* its key in that dispatcher's table */
	struct eq_watch watch;    /* watchpoints */
	/* watchpoint:FUNCTION+argN: the uprobe on FUNCTION whose program sends
	 * argN (setup_arg) to ebpfq, which then sets the watchpoint there;
	 * NULL for a watchpoint on a fixed address */
	const struct attach_point *setup;
	int setup_arg;
};

struct attach_list {
	struct attach_point *items;
	int count, cap;
};

/* What resolving reads once for all the specs of a compile: the kernel's
 * BTF (tens of milliseconds to parse) for fentry, fexit and the kprobes
 * they stand in for.  Zeroed to start; probe_cache_free at the end. */
struct btf;
struct probe_cache {
	struct btf *kernel_btf;
	bool kernel_btf_read; /* tried, whether or not it could be read */
};
void probe_cache_free(struct probe_cache *cache);
/* The kernel's BTF, parsed on the first call (NULL if the kernel has none). */
const struct btf *probe_kernel_btf(const struct eq_target *target, struct probe_cache *cache);

/* Resolve one AST_SPEC into attach points (appended to list).  Returns 0 or
 * -1 after reporting an error at the spec.  `optional`: the spec is one of
 * several of its probe, and a user function that does not exist is a
 * warning, the spec left out (as bpftrace does: sslsnoop.bt names functions
 * only some builds of libcrypto have). */
int probe_resolve(const struct ast *spec, const struct eq_target *target,
		  struct probe_cache *cache, struct arena *arena, struct eq_diag *diag,
		  struct attach_list *list, bool optional);

/* Read the format of the tracepoint an attach point runs on into ap->format.
 * Returns 0, or -1 if it cannot be read (no tracefs, not a tracepoint). */
int probe_load_format(struct attach_point *ap, const char *tracefs, struct arena *arena);
const struct tp_field *probe_find_field(const struct attach_point *ap, const char *name);

/* Where argN / retval live in the attach point's context and what C type
 * they have: offset, size 8, bits and sign (retval of a kprobe is a signed
 * word, of an fexit the function's return type).  False if the probe has
 * no such value (argN past an fentry function's prototype, retval on entry). */
bool probe_ctx_arg(const struct attach_point *ap, int n, struct tp_field *out);
bool probe_ctx_retval(const struct attach_point *ap, struct tp_field *out);
const char *probe_ctx_describe(enum ctx_layout ctx);

/* Where a dispatched syscall program finds a field of its tracepoint's
 * record (struct trace_event_raw_sys_enter/exit, by offset): raw_syscalls'
 * context is u64 args[2], a struct pt_regs pointer and then the number (on
 * entry) or the return value (on exit); the rest is in the registers. */
struct syscall_source {
	bool in_regs;    /* at `offset` in struct pt_regs, else in the context */
	uint32_t offset;
};
bool probe_syscall_source(const struct attach_point *ap, uint32_t record_offset,
			  struct syscall_source *out);
/* The offset in struct pt_regs of the system call's number (orig_ax). */
uint32_t probe_syscall_nr_reg(void);
/* The offset in struct pt_regs of the instruction pointer (in a uprobe:
 * where the probe is, in the process). */
uint32_t probe_ip_reg(void);

/* The offset of a member in a kernel struct, from the kernel's BTF (read
 * once per compile into the cache); false if there is no BTF or no such
 * member. */
bool probe_kernel_member(const struct eq_target *target, struct probe_cache *cache,
			 const char *type, const char *member, uint32_t *offset);

#endif
