/* image.h - the compiled program: THE contract between compiler and runtime.
 *
 * Plain data, no pointers into compiler state: the compiler fills it, the
 * runtime loads it with libbpf's low-level calls, and `-o` will write it as a
 * BPF ELF object.  This is the only header that compiler/ and runtime/ share.
 *
 * Everything lives in the image's own arena and is freed by eq_image_free().
 *
 * Events.  Every printf(), print(), exit() and asynchronous map operation
 * sends one record through the ring buffer map (role EQ_MAP_RINGBUF).  A
 * record starts with a u64 output index into image.outputs; the output's
 * kind says what the rest of the record holds and what user space does.
 */
#ifndef EBPFQ_IMAGE_H
#define EBPFQ_IMAGE_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

/* ---- maps ------------------------------------------------------------- */

enum eq_map_role {
	EQ_MAP_USER,    /* a script map (@name): printed at exit */
	EQ_MAP_RINGBUF, /* the event ring buffer */
	EQ_MAP_DROPS,   /* array[1] of u64[EQ_DATA_WORDS] (enum eq_data_word);
	                   programs address its value directly (BPF_PSEUDO_MAP_VALUE) */
	EQ_MAP_SCRATCH, /* per-CPU array: room for values too big for the stack */
	EQ_MAP_SYSCALL_PROGS, /* prog array: a syscall dispatcher's programs by
	                         system call number (EQ_ATTACH_SYSCALL) */
	EQ_MAP_STACKS,  /* BPF_MAP_TYPE_STACK_TRACE: the frames of the stacks the
	                   programs took (bpf_get_stackid), value_size = 8 x frames;
	                   two maps per frame count (EQ_FIELD_STACK's frames), the
	                   second for the stacks the first refused */
	EQ_MAP_PIDS,    /* LRU hash, u32 pid: the processes whose user addresses
	                   (ustack, usym) were announced with EQ_OUT_WATCH_PID */
};

/* The words of the EQ_MAP_DROPS map's value. */
enum eq_data_word {
	EQ_DATA_LOST,       /* events the ring buffer had no room for */
	EQ_DATA_START_NS,   /* when tracing started (CLOCK_MONOTONIC ns, set by the runtime) */
	EQ_DATA_MAP_FULL,   /* map updates the kernel refused (a full map) */
	EQ_DATA_LOOP_BOUND, /* loops that stopped at their bound (loop_bound) */
	EQ_DATA_STACK_LOST, /* stacks the stack map refused (full, or another stack
	                       in the bucket): their ids are negative */
	/* Set by the runtime from -p and -c, read by an image compiled ahead of
	 * time (eq_image.aot), whose programs cannot have them as constants: */
	EQ_DATA_FILTER_PID, /* -p PID: every probe but BEGIN/END returns early for
	                       other processes; 0: none */
	EQ_DATA_USER_PID,   /* -p PID, else -c's pid: user probes filter on it; 0: none */
	EQ_DATA_CHILD_PID,  /* -c's pid (cpid), or 0 */
	EQ_DATA_WORDS
};

/* How one field of a key or value is stored and shown. */
enum eq_field_kind {
	EQ_FIELD_INT,   /* integer of `size` bytes, `is_signed` */
	EQ_FIELD_STR,   /* NUL-padded string of `size` bytes */
	EQ_FIELD_TUPLE, /* `nelems` fields, their offsets from this field's */
	EQ_FIELD_RECORD, /* a C struct or union: `nelems` named fields (at C offsets;
	                   a bit-field is `bits` bits from bit `bit_offset`) */
	EQ_FIELD_ARRAY, /* `nelems` elements, each like elems[0], `size / nelems` apart */
	EQ_FIELD_ADDR,  /* an address (a pointer): printed in hex */
	EQ_FIELD_STACK, /* {s64 stack id, u64 pid}: a stack (kstack, ustack) whose frames
	                   are in the first EQ_MAP_STACKS map of `frames` frames at key
	                   (u32)id, or in the second if bit 32 of id is set (a negative
	                   id: none, printed empty); printed symbolized as `stack_mode`
	                   says, a user stack's in process pid */
	EQ_FIELD_SYMBOL, /* {u64 address, u64 pid}: an address printed as the name of
	                   the symbol holding it (ksym, usym): the kernel's, or those of
	                   process pid's files if `user` */
	EQ_FIELD_TEXT,  /* a raw value printed as text, as `text` (enum eq_text) says */
};

/* What an EQ_FIELD_TEXT holds and prints as (runtime/format_render.c). */
enum eq_text {
	EQ_TEXT_INET,     /* {u64 family, u8 addr[16]}: AF_INET 1.2.3.4, AF_INET6 ::1 */
	EQ_TEXT_USERNAME, /* u64 uid: the user's name, or the number */
	EQ_TEXT_CGROUP,   /* u64 cgroup id: its path in each mounted hierarchy */
	EQ_TEXT_TIME,     /* u64 ns of CLOCK_MONOTONIC: local time, strftime(3) `format` */
	EQ_TEXT_BUF,      /* {u64 length, bytes}: printable ASCII, \xNN the rest */
};

/* How a stack prints (bpftrace's stack modes). */
enum eq_stack_mode {
	EQ_STACK_BPFTRACE, /* "\n" then a line per frame: indent, "func+off" */
	EQ_STACK_PERF,     /* "\n" then a line per frame: "\tADDR func+off (module)" */
};

struct eq_field {
	enum eq_field_kind kind;
	uint32_t offset, size;
	bool is_signed;
	struct eq_field *elems; /* TUPLE, RECORD: the fields; ARRAY: one, the element */
	int nelems;
	const char *name;       /* a RECORD's field; a map's key part: the builtin
	                           variable every use of the map wrote there (comm,
	                           pid), --export's label name for it; else NULL */
	uint16_t bit_offset;    /* a bit-field: from the field's offset */
	uint8_t bits;           /* a bit-field's width; 0: not one */
	bool user;              /* STACK, SYMBOL: a process's, not the kernel's */
	uint8_t stack_mode;     /* STACK: enum eq_stack_mode */
	uint16_t frames;        /* STACK: the most frames it holds */
	uint8_t text;           /* TEXT: enum eq_text */
	const char *format;     /* TEXT: EQ_TEXT_TIME's strftime(3) format */
};

/* What a user map's value is, which decides how it is combined across CPUs
 * and printed.  The aggregations' per-CPU layouts are
 * compiler/builtins/aggregate.c's. */
enum eq_value_kind {
	EQ_VALUE_INT,   /* plain value (last write wins): value_field says what */
	EQ_VALUE_STR,   /* string (value_field) */
	EQ_VALUE_COMPOSITE, /* a tuple, a struct or an array (value_field) */
	EQ_VALUE_COUNT, /* per-CPU u64, summed */
	EQ_VALUE_SUM,   /* per-CPU s64 (u64 if !value_field.is_signed), summed */
	EQ_VALUE_AVG,   /* per-CPU {u64 count, s64 total}: total / count */
	EQ_VALUE_STATS, /* the same, printed as count, average, total */
	EQ_VALUE_MIN,   /* per-CPU {s64 value, u64 seen}: the least of the CPUs that saw one */
	EQ_VALUE_MAX,   /* the same, the greatest */
	EQ_VALUE_HIST,  /* per-CPU u64 count of values in the key's bucket, the key's
	                   last u64 (a key-less map: the u32 array index) */
	EQ_VALUE_LHIST, /* the same, buckets of lhist_min/max/step */
};

struct eq_map {
	const char *name;       /* "@forks", "@" for the anonymous map, or an internal name */
	enum eq_map_role role;
	uint32_t type;          /* BPF_MAP_TYPE_* */
	uint32_t key_size, value_size, max_entries, flags;
	/* For EQ_MAP_USER: */
	struct eq_field *key_fields; /* empty for a key-less map (key is u32 0) */
	int nkey_fields;
	enum eq_value_kind value_kind;
	struct eq_field value_field;
	bool is_percpu;         /* value is per CPU: combine in user space */
	bool has_key;           /* written @m[...]; printed with [key] */
	int64_t lhist_min, lhist_max, lhist_step; /* EQ_VALUE_LHIST */
};

/* ---- programs --------------------------------------------------------- */

enum eq_attach_kind {
	EQ_ATTACH_BEGIN,       /* run once by the runtime before the others attach */
	EQ_ATTACH_END,         /* run once at exit */
	EQ_ATTACH_TRACEPOINT,  /* target: "category:name" */
	EQ_ATTACH_KPROBE,      /* target: kernel function */
	EQ_ATTACH_KRETPROBE,
	EQ_ATTACH_UPROBE,      /* target: absolute path of the binary, at target_offset;
	                          usdt probes too, with their semaphore at ref_ctr_offset */
	EQ_ATTACH_URETPROBE,
	EQ_ATTACH_RAW_TRACEPOINT, /* target: the tracepoint's name ("sched_switch") */
	EQ_ATTACH_PERF_EVENT,  /* interval, profile, software, hardware: see eq_perf */
	EQ_ATTACH_FENTRY,      /* target: kernel function, with target_btf_id */
	EQ_ATTACH_FEXIT,
	EQ_ATTACH_SYSCALL,     /* a syscall tracepoint's program (target "syscalls:sys_enter_NAME")
	                          run by a dispatcher: stored in map tail_map at key tail_key */
	EQ_ATTACH_SYSCALL_DISPATCH, /* not a script probe: a raw tracepoint program on target
	                          "sys_enter" or "sys_exit" that tail-calls the program of the
	                          system call's number from map tail_map; attached after the
	                          programs it runs, detached in one step */
	EQ_ATTACH_WATCHPOINT,  /* a hardware breakpoint: see eq_watch; target: what is
	                          watched, for messages */
	EQ_ATTACH_WATCH_SETUP, /* not a script probe: a uprobe (as EQ_ATTACH_UPROBE) on a
	                          function whose program sends the addresses watchpoints
	                          watch, when it is called (EQ_OUT_WATCH) */
};

/* A watchpoint: a perf event of type PERF_TYPE_BREAKPOINT running the
 * program when the task it is set in accesses the address. */
struct eq_watch {
	uint64_t addr;      /* 0: not known until run time -- an EQ_OUT_WATCH event
	                       from the program that finds it sets the watchpoint */
	uint32_t len;       /* bp_len: 1, 2, 4 or 8 bytes */
	uint32_t type;      /* bp_type: HW_BREAKPOINT_R, _W, _X bits */
	bool per_process;   /* in the -p / -c process (each of its threads, and the
	                       threads it makes later); else in every task, on every
	                       CPU (a kernel address) */
	bool async;         /* the process goes on while the watchpoint is set up;
	                       else the program that found the address stopped it
	                       (SIGSTOP) and it is continued once the watchpoint is set */
};

/* A sampling perf event (perf_event_open's type, config, period). */
struct eq_perf {
	uint32_t type;      /* PERF_TYPE_SOFTWARE, PERF_TYPE_HARDWARE */
	uint64_t config;    /* PERF_COUNT_SW_*, PERF_COUNT_HW_* */
	uint64_t period;    /* events (or ns for the clocks) between two runs; or with
	                       freq, runs per second */
	bool freq;
	bool every_cpu;     /* one event per CPU (profile, software); else CPU 0 only */
};

/* A map reference: the instruction at insn_index is a BPF_LD_IMM64 that the
 * runtime patches with the map's fd (src_reg BPF_PSEUDO_MAP_FD) or with the
 * fd and an offset into its value (BPF_PSEUDO_MAP_VALUE, off in imm of the
 * second half). */
struct eq_map_ref {
	uint32_t insn_index;
	uint32_t map_index;
	bool value;    /* BPF_PSEUDO_MAP_VALUE */
	uint32_t value_offset;
};

/* A BPF CO-RE relocation (an --aot image's): the kernel sets the
 * immediate of instruction insn_off (an ALU64 K) to what `kind` says of
 * the member that access string access_str_off reaches from local type
 * type_id (both in eq_image.core_btf), in the running kernel's layout: its
 * offset, or of a bit-field the offset and size of its unit and the shifts
 * that extract it.  A struct bpf_core_relo, but in instructions, not bytes. */
struct eq_core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind; /* BPF_CORE_FIELD_BYTE_OFFSET, _BYTE_SIZE, _LSHIFT_U64, _RSHIFT_U64 */
};

/* insn_off -> script position, for the kernel's line info and for mapping a
 * verifier complaint back to the script. */
struct eq_line {
	uint32_t insn_off;
	uint32_t line, col;
};

struct eq_prog {
	const char *name;        /* BPF object name, <= 15 chars: "probe0" */
	const char *probe_name;  /* the probe as the user wrote it: "kprobe:sys_clone" */
	const char *attach_note; /* how it attaches, for -v: "tracepoint syscalls:sys_enter_clone (no kprobes in this kernel)" */
	uint32_t prog_type;      /* BPF_PROG_TYPE_* */
	enum eq_attach_kind attach;
	const char *target;      /* attach target (see eq_attach_kind) */
	uint64_t target_offset;  /* uprobes: file offset of the probed instruction */
	uint64_t ref_ctr_offset; /* usdt: file offset of the probe's semaphore, or 0 */
	uint32_t target_btf_id;  /* fentry, fexit: the function's id in vmlinux BTF */
	struct eq_perf perf;     /* EQ_ATTACH_PERF_EVENT */
	struct eq_watch watch;   /* EQ_ATTACH_WATCHPOINT */
	uint32_t tail_map;       /* EQ_ATTACH_SYSCALL(_DISPATCH): the EQ_MAP_SYSCALL_PROGS map */
	uint32_t tail_key;       /* EQ_ATTACH_SYSCALL: the system call's number */
	bool ctx_unused;         /* the program never reads its context (R1 at entry):
	                            a tracepoint's may then run as a raw tracepoint's,
	                            which detaches without a grace period */
	struct bpf_insn *insns;
	uint32_t ninsns;
	uint32_t *func_starts;   /* subprograms (helpers' callbacks) after the main
	                            function: the first instruction of each, ascending */
	uint32_t nfuncs;
	struct eq_map_ref *refs;
	uint32_t nrefs;
	struct eq_line *lines;   /* sorted by insn_off */
	uint32_t nlines;
	struct eq_core_relo *core_relos; /* --aot: kernel struct offsets to relocate */
	uint32_t ncore_relos;
	uint32_t line, col;      /* where the probe is in the script */
};

/* ---- outputs (what user space does with an event) -------------------- */

enum eq_output_kind {
	EQ_OUT_PRINTF,    /* format `fmt` with `args` read from the record */
	EQ_OUT_PRINT_MAP, /* print map `map_index` now: its `top` greatest entries
	                     (0: all), values divided by `div` */
	EQ_OUT_PRINT_ENTRY, /* print the value of map `map_index` at the key that
	                     follows the output index in the record */
	EQ_OUT_PRINT_VALUE, /* print the value `value` describes, at offset 8 */
	EQ_OUT_CLEAR_MAP, /* delete every entry of map `map_index` */
	EQ_OUT_ZERO_MAP,  /* zero every value of map `map_index`, keeping its keys */
	EQ_OUT_DELETE_ENTRY, /* delete a histogram's key (every bucket of it): the
	                     key follows the output index */
	EQ_OUT_EXIT,      /* end tracing: run END, print maps, detach */
	EQ_OUT_SYSTEM,    /* run the command `fmt` and `args` make (/bin/sh -c) */
	EQ_OUT_CAT,       /* print the file whose name `fmt` and `args` make */
	EQ_OUT_TIME,      /* print the time now, strftime(3)'s format `fmt` (and %f) */
	EQ_OUT_JOIN,      /* print strings joined by `fmt`, and a newline: a u64 count
	                     after the output index, then the strings, `nargs` slots
	                     of (record_size - 16) / nargs bytes */
	EQ_OUT_HELPER_ERROR, /* -k: the helper `fmt` failed at line:col; the s64 it
	                     returned follows the output index */
	EQ_OUT_WATCH,     /* the record holds a process's tgid (u64), then one u64 address
	                     for each of the watchpoint programs `progs`: set each on its
	                     address in that process, then continue the process (SIGCONT)
	                     if `stopped`.  Not script output: also after exit() */
	EQ_OUT_WATCH_PID, /* a program took the first user address (ustack, usym) of
	                     the process whose pid is the u64 after the output
	                     index: read its memory map now, so that its addresses
	                     still symbolize after it exits */
};

enum eq_arg_kind {
	EQ_ARG_INT,   /* integer of `size` bytes at `offset` in the record, `is_signed` */
	EQ_ARG_STR,   /* NUL-padded string of `size` bytes at `offset` */
	EQ_ARG_CONST, /* a constant string known at compile time: `text` */
	EQ_ARG_FIELD, /* a value printed as text (%s), as `field` says (a stack, a
	                 symbol), at `offset` */
};

struct eq_arg {
	enum eq_arg_kind kind;
	uint32_t offset, size;
	bool is_signed;
	const char *text;
	struct eq_field field; /* EQ_ARG_FIELD: its offset is 0 */
};

struct eq_output {
	enum eq_output_kind kind;
	const char *fmt;     /* EQ_OUT_PRINTF, _SYSTEM, _CAT: the user's format,
	                        already checked against the arguments' types */
	struct eq_arg *args;
	int nargs;
	uint32_t record_size; /* bytes of the record, header included */
	uint32_t map_index;   /* the *_MAP and *_ENTRY kinds */
	uint32_t top, div;    /* EQ_OUT_PRINT_MAP */
	uint32_t *progs;      /* EQ_OUT_WATCH */
	int nprogs;
	bool stopped;
	struct eq_field value; /* EQ_OUT_PRINT_VALUE */
	uint32_t line, col;   /* the statement that produced it */
};

/* ---- the image -------------------------------------------------------- */

struct eq_image {
	struct arena arena;
	const char *file;    /* script name for messages */
	const char **source_lines; /* source_lines[i] is line i+1, for line info */
	int nsource_lines;
	struct eq_prog *progs;
	int nprogs;
	struct eq_map *maps;
	int nmaps;
	struct eq_output *outputs;
	int noutputs;
	int ringbuf_map;     /* index of the EQ_MAP_RINGBUF map, -1 if none */
	int drops_map;       /* index of the EQ_MAP_DROPS map, -1 if none */
	uint32_t loop_bound; /* the most iterations a while loop runs */
	/* Some printf (or time()) ends without a newline: a probe may print a
	 * line in several events, and another thread's events must not land
	 * in the middle (another CPU's, or one that preempted it on the same
	 * CPU).  Every event's first u64 is then the output index in its low
	 * half and the thread (tid) that sent it in its high half, and user
	 * space assembles each thread's lines before printing them. */
	bool lines_by_thread;
	/* Compiled for `--aot`: -p and -c are not known yet, so the programs
	 * read them from the EQ_DATA_*_PID words, which the runtime sets. */
	bool aot;
	/* The script reads $1.. or $# (or a probe spec names one): their values
	 * are folded in at compile time. */
	bool uses_params;
	/* --aot with CO-RE relocations: raw BTF (header, types, strings) of
	 * the kernel structs they name, copied from the compiling kernel's
	 * with only the members on their paths kept as they were
	 * (compiler/core_btf.c); the program BTF the runtime loads starts with
	 * it.  NULL when no program has a relocation. */
	void *core_btf;
	uint32_t core_btf_size;
};

void eq_image_free(struct eq_image *img);
/* Are p's map references in instruction order?  The compiler's always
 * are; then eq_prog_ref_at() finds the first reference to an instruction
 * (or NULL) by a binary search, where a table of a reference per
 * instruction was 640 KB of pages touched, twice (-d bpf and vcheck), for
 * a long probe.  Only for references in order. */
bool eq_prog_refs_in_order(const struct eq_prog *p);
const struct eq_map_ref *eq_prog_ref_at(const struct eq_prog *p, uint32_t insn);

#endif
