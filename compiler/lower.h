/* lower.h - AST to IR, one program per attach point. */
#ifndef EBPFQ_LOWER_H
#define EBPFQ_LOWER_H

#include "ast.h"
#include "image.h"
#include "ir.h"
#include "probe.h"
#include "sema.h"

/* What lowering needs from the compile driver.  User map i of sema_info is
 * image map i; the driver adds the ring buffer and drop counter after them. */
struct lower_env {
	struct arena *arena;      /* IR */
	struct arena *insn_arena; /* IR blocks' instructions, and nothing else (ir_emit) */
	struct arena *var_arena;  /* tables by variable while a probe is lowered (lower_begin
	                             empties it; the passes after lowering use it too) */
	struct arena *img_arena;  /* outputs, which end up in the image */
	struct eq_diag *diag;
	const struct sema_info *info;
	int ringbuf_map, drops_map;
	struct {
		struct eq_output *items;
		int count, cap;
	} outputs;
	int scratch_map;          /* the scratch map's index (EQ_MAP_SCRATCH), whose value
	                             holds a region for each program that needs one */
	uint32_t scratch_used;    /* bytes of its value the programs so far took */
	int first_stack_map;      /* the EQ_MAP_STACKS map of info->stack_frames.items[0];
	                             the others follow in that order */
	int pids_map;             /* the EQ_MAP_PIDS map, or -1 */
	int filter_pid;           /* -p PID, or 0 */
	int ncpus;                /* possible CPUs: an aggregation read in a program sums them */
	int child_pid;            /* -c: user probes filter on it, or 0 */
	int helper_errors;        /* -k: 1, -kk: 2 (see lower_call) */
	bool aot;                 /* -p, -c from the data map's words (eq_image.aot) */
	bool uses_events;         /* some program sends events: the ring buffer is needed */
	bool streams_events;      /* a probe other than BEGIN and END, or a loop, sends events */
	uint64_t once_event_bytes; /* else: the ring buffer room that BEGIN's and END's
	                              events take, each sent at most once */
	bool lines_by_thread;     /* events carry their thread (eq_image.lines_by_thread) */
};

/* The drops map's value: events lost to a full ring buffer, the program
 * start time (for elapsed), map updates the kernel refused (a full map). */
enum { DROPS_VALUE_LOST = 8 * EQ_DATA_LOST, DROPS_VALUE_START_NS = 8 * EQ_DATA_START_NS,
       DROPS_VALUE_MAP_FULL = 8 * EQ_DATA_MAP_FULL, DROPS_VALUE_LOOP_BOUND = 8 * EQ_DATA_LOOP_BOUND,
       DROPS_VALUE_STACK_LOST = 8 * EQ_DATA_STACK_LOST,
       DROPS_VALUE_FILTER_PID = 8 * EQ_DATA_FILTER_PID, DROPS_VALUE_USER_PID = 8 * EQ_DATA_USER_PID,
       DROPS_VALUE_CHILD_PID = 8 * EQ_DATA_CHILD_PID, DROPS_VALUE_SIZE = 8 * EQ_DATA_WORDS };

/* The most iterations a while loop (or a for loop over bounds that are not
 * constants) runs: the kernel's verifier must see every loop end
 * (lower_loop.c). */
enum { LOOP_BOUND = 1024 };

/* How a value of type t at offset is stored and shown: the image's view. */
struct eq_field lower_field_of(struct arena *a, const struct eq_type *t, uint32_t offset);

/* Lower one probe's filter and body for one attach point.  NULL after
 * reporting an error the type checker could not see (a record too big). */
struct ir_func *lower_probe(struct lower_env *env, const struct ast *probe,
			    const struct attach_point *ap, const char *name);

/* The program of the uprobe that sets up the watchpoints on a function's
 * arguments (watches[i]->setup, all on one function): unless they are all
 * async it stops the process (SIGSTOP), then sends the arguments to ebpfq in
 * one EQ_OUT_WATCH event, which sets watchpoint program progs[i] on the
 * argument of watches[i] and continues the process.  If the event cannot
 * be sent it continues the process itself. */
struct ir_func *lower_watch_setup(struct lower_env *env, const struct attach_point *const *watches,
				  const uint32_t *progs, int n, const char *name);


/* ---- shared by the lower*.c files and builtins/ (one pass in several files) */
#ifdef LOWER_INTERNAL

/* What the lowering of one program shares with the subprograms lowered
 * into it. */
struct lower_program {
	struct ir_func *main;   /* the program's function: it owns the subprograms */
	int continue_subprog;   /* `return 0` (len()'s callback) once made, else -1 */
};

/* Where a probe's variable lives, as far as for-map loops are concerned
 * (a loop's body is a callback of its own: lower_callback.c); bits. */
enum var_use {
	VAR_SHARED = 1, /* named in the body of a for-map loop (not its own): an
	                   integer is lent to the callback through the scratch
	                   map, a value in memory lives there, where the
	                   callback reaches it */
	VAR_ENTRY = 2,  /* a for-map loop's own variable: the callback's */
};

struct lower {
	struct lower_env *env;
	struct arena *arena;
	const struct attach_point *ap;
	struct lower_program *prog;
	struct ir_func *f;      /* the function being lowered: prog->main or a subprogram */
	struct ir_block *cur;   /* where code goes now */
	struct ir_block *exit;  /* `ret 0`, placed last */
	int ctx;                /* vreg holding the context */
	int *var_vreg;          /* per sema var: vreg of an integer variable */
	int *var_slot;          /* per sema var: frame slot of a string variable */
	uint8_t *var_use;       /* per sema var: enum var_use bits */
	/* slots bigger than stack_slot_max live in this program's region of the
	 * scratch map, addressed from scratch_vreg (set at the function's start) */
	uint32_t stack_slot_max;
	struct {
		int32_t *items;     /* per slot: its offset in the region, or -1 */
		int count, cap;
	} scratch_of;
	uint32_t scratch_size, scratch_max;
	int scratch_vreg;       /* -1 until a slot lives there */
	struct {
		struct lower_loop {
			struct ir_block *brk, *cont; /* where break and continue go */
		} *items;
		int count, cap;
	} loops;                /* the loops around the statement being lowered */
	bool failed;
};

/* A slot bigger than this lives in the scratch map (a per-CPU array whose
 * value holds one region per program): the stack has 512 bytes in all.  A
 * for-map loop's body (a callback) shares them with its probe, and keeps
 * only small slots on the stack. */
enum { STACK_SLOT_MAX = 128, CALLBACK_STACK_SLOT_MAX = 32 };

/* A string value: in a frame slot, or a constant known at compile time. */
struct str_loc {
	int slot;         /* -1 for a constant */
	int32_t off;
	uint32_t size;
	const char *text; /* constant */
	int len;
};

/* A program's start (its context in L->ctx), the early return for other
 * processes under -p PID (or -c, in user probes), and its end: `ret 0`. */
void lower_begin(struct lower *L, struct lower_env *env, const struct attach_point *ap,
		 const char *name, eq_loc loc);
void lower_pid_filter(struct lower *L, eq_loc loc);
struct ir_func *lower_end(struct lower *L, eq_loc loc);

struct ir_insn *lower_emit(struct lower *L, enum ir_op op, eq_loc loc);
void lower_error(struct lower *L, eq_loc loc, const char *msg);

/* instructions */
/* BPF ALU and jump immediates are 32 bits, sign-extended: v, or a wider
 * constant moved into a register first. */
struct ir_val lower_fit_imm(struct lower *L, struct ir_val v, eq_loc loc);
int lower_binop(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc);
struct ir_val lower_arith(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc);
int lower_call(struct lower *L, int helper, eq_loc loc, int nargs, ...);
/* A slot of memory the program owns: on the stack, or in the scratch map
 * if it is big.  Address and access it only through the functions here. */
int lower_slot(struct lower *L, uint32_t size);
/* A slot on the stack whatever its size (what a helper must find there). */
int lower_stack_slot(struct lower *L, uint32_t size);
/* A slot in the scratch map whatever its size (what a callback shares). */
int lower_scratch_slot(struct lower *L, uint32_t size);
/* A name, in a callback, for the bytes at `offset` of the program's
 * scratch region that its caller's slot holds. */
int lower_scratch_alias(struct lower *L, int32_t offset);
/* The offset in the scratch region of a slot that lives there, or -1. */
int32_t lower_scratch_offset(const struct lower *L, int slot);
/* Once a function is lowered: if it keeps slots in the scratch map, it
 * starts by finding the program's region there (jumping to on_failure if
 * the lookup fails, which it cannot); its CTX and ARG stay first. */
void lower_scratch_prologue(struct lower *L, struct ir_block *on_failure, eq_loc loc);
int lower_frame_addr(struct lower *L, int slot, int32_t off, eq_loc loc);
int lower_map_addr(struct lower *L, int map, eq_loc loc);
/* &value of the data map (EQ_MAP_DROPS) + off: see DROPS_VALUE_* */
int lower_data_addr(struct lower *L, int32_t off, eq_loc loc);
void lower_store(struct lower *L, int slot, int32_t off, uint8_t size, struct ir_val v, eq_loc loc);
/* *(size *)(base + off) = v, base a vreg holding an address */
void lower_store_at(struct lower *L, int base, int32_t off, uint8_t size, struct ir_val v, eq_loc loc);
int lower_load(struct lower *L, int base, int32_t off, uint8_t size, bool is_signed, eq_loc loc);
void lower_mov(struct lower *L, int d, struct ir_val v, eq_loc loc);

/* control flow */
void lower_branch(struct lower *L, enum ir_cond c, struct ir_val a, struct ir_val b,
		  struct ir_block *t, struct ir_block *f, eq_loc loc);
void lower_jump(struct lower *L, struct ir_block *to, eq_loc loc);
void lower_place(struct lower *L, struct ir_block *b);
struct ir_block *lower_block(struct lower *L);

/* values */
struct ir_val lower_int(struct lower *L, const struct ast *e);
void lower_cond(struct lower *L, const struct ast *e, struct ir_block *t, struct ir_block *f);
const struct builtin *lower_builtin_of(const struct ast *e);
/* The same, sign-extended from `size` bytes if is_signed (BPF_MEMSX). */
int lower_load_slot_as(struct lower *L, int slot, int32_t off, uint8_t size, bool is_signed, eq_loc loc);
int lower_load_slot(struct lower *L, int slot, int32_t off, uint8_t size, eq_loc loc);

/* values in memory (lower_value.c) */
/* Where a value is: frame slot + off (base < 0), or the address in vreg
 * base + off. */
struct mem_ref {
	int base;
	int slot;
	int32_t off;
};
/* The layout a value really has (a variable's or map's final type). */
const struct eq_type *lower_type_of(const struct lower *L, const struct ast *e);
/* Copy a value laid out as `from` at src to dst+doff laid out as `to`. */
void lower_copy_value(struct lower *L, struct mem_ref src, const struct eq_type *from, int dst,
		      int32_t doff, const struct eq_type *to, eq_loc loc);
/* == and != of two tuples, structs or arrays: their bytes, word by word. */
void lower_mem_eq(struct lower *L, const struct ast *e, struct ir_block *t, struct ir_block *f);
/* Where an in-memory value is (computed into a temporary if need be). */
struct mem_ref lower_value_ref(struct lower *L, const struct ast *e, const struct eq_type **type);
struct str_loc lower_str(struct lower *L, const struct ast *e);
void lower_str_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size);
/* Branch on whether the first n bytes (at most the shorter's size) of two
 * strings are equal. */
void lower_str_prefix_eq(struct lower *L, struct str_loc a, struct str_loc b, uint32_t n,
			 struct ir_block *equal, struct ir_block *differ, eq_loc loc);
/* A string or a builtin whose text is known when compiling, else NULL. */
const char *lower_const_text(const struct lower *L, const struct ast *e);
/* size bytes of zeros at slot+off (a multiple of 8 is written) */
void lower_zero(struct lower *L, int slot, int32_t off, uint32_t size, eq_loc loc);
/* A NUL-terminated string read by a probe_read_*_str helper into slot+off,
 * zeroed first so that it stays zero-padded. */
void lower_read_str(struct lower *L, int helper, struct ir_val src, int slot, int32_t off,
		    uint32_t size, eq_loc loc);
/* argN (n >= 0) or retval (n < 0) of the probe being lowered */
struct ir_val lower_probe_arg(struct lower *L, int n, eq_loc loc);
/* `size` bytes of memory at addr read by a probe_read helper into a
 * zeroed temporary: the value, zero-extended. */
int lower_read_memory(struct lower *L, int helper, int addr, uint8_t size, eq_loc loc);

/* memory read through C types (lower_memory.c) */
struct ir_val lower_memory_int(struct lower *L, const struct ast *e);
/* a struct or array read into slot+off, `size` bytes (zero-padded) */
/* An integer read through a pointer (p->f, *p, p[i]; no bit-field), which
 * lower_int_read_into puts straight into a word of a record at slot+off:
 * its own width at the start of the word (the rest zeroed), as user space
 * reads an argument of that size, without a load and a store between. */
bool lower_reads_int_in_place(const struct ast *e);
void lower_int_read_into(struct lower *L, const struct ast *e, int slot, int32_t off);
void lower_memory_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size);
/* a char array read as a string of at most size bytes, NUL included */
void lower_memory_chars(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size);
struct ir_val lower_address_of(struct lower *L, const struct ast *e);
struct ir_val lower_pointer_arith(struct lower *L, const struct ast *e);
/* Is e memory read through a pointer, or a member of such memory? */
bool lower_is_memory(const struct ast *e);

/* statements: a block's, one after another (lower.c) */
void lower_body(struct lower *L, const struct ast *block);

/* subprograms (lower_callback.c) */
/* Which of the probe's variables are for-map loops' or shared with their
 * bodies (enum var_use bits), from its body. */
void lower_find_loop_vars(const struct ast *node, uint8_t *var_use);
/* for ($kv : @m) { ... }: the body as a callback of bpf_for_each_map_elem. */
void lower_for_map(struct lower *L, const struct ast *st);
/* print($kv.1) of a for-map loop over a stats, hist or lhist map: the
 * entry, printed as print(@h[key]) does. */
void lower_print_map_entry(struct lower *L, const struct ast *value, eq_loc loc);
/* Add f to the program's subprograms; returns its index, which FUNCADDR names. */
int lower_add_subprog(struct lower *L, struct ir_func *f);
/* d = the address of subprogram `subprog`, for a helper that calls it back. */
int lower_funcaddr(struct lower *L, int subprog, eq_loc loc);
/* The subprogram that returns 0 (a helper's callback that says "go on"),
 * made once per program. */
int lower_continue_subprog(struct lower *L, eq_loc loc);

/* loops (lower_loop.c) */
void lower_while(struct lower *L, const struct ast *st);
void lower_for_range(struct lower *L, const struct ast *st);
void lower_unroll(struct lower *L, const struct ast *st);
void lower_break_continue(struct lower *L, const struct ast *st);

/* maps and events (lower_event.c) */
const struct sema_map *lower_map_info(const struct lower *L, const struct ast *map);
/* The key of a map access, built in a fresh frame slot (of slot_size
 * bytes, for a key with more after it). */
int lower_key(struct lower *L, const struct ast *map);
int lower_key_sized(struct lower *L, const struct ast *map, uint32_t slot_size);
/* A key-less aggregation is a per-CPU array: its lookups never miss. */
bool lower_map_is_array(const struct lower *L, const struct ast *map);
/* p = map_lookup_elem(map, &key): to `hit` with p, or to `miss`. */
int lower_lookup(struct lower *L, const struct ast *map, int key, struct ir_block *hit,
		 struct ir_block *miss);
/* map_update_elem(map, &key, &value); a refused update is counted. */
void lower_update(struct lower *L, int map_index, int key_slot, int value_slot, eq_loc loc);
/* map_delete_elem(map, &key) */
void lower_delete_key(struct lower *L, const struct ast *map, eq_loc loc);
void lower_call_stmt(struct lower *L, const struct ast *call);
void lower_map_assign(struct lower *L, const struct ast *st);
/* @m[k]++ and the like as a value: the update, and the value before it. */
int lower_map_update_value(struct lower *L, const struct ast *st);
struct ir_val lower_map_read(struct lower *L, const struct ast *map);
/* A map's value (a string, a tuple) into slot+off laid out as `to`; zeros
 * if the key is not there. */
void lower_map_read_into(struct lower *L, const struct ast *map, const struct eq_type *to, int slot,
			 int32_t off);
/* printf(fmt, args...) as an event */
void lower_printf(struct lower *L, enum eq_output_kind kind, const char *fmt, struct ast *const *args,
		  int nargs, eq_loc loc);
/* An event without arguments: print(@m), clear(@m), exit().  The output is
 * returned for its caller to fill in (it moves with the next event). */
struct eq_output *lower_send_event(struct lower *L, enum eq_output_kind kind, int map, eq_loc loc);
/* An event carrying one 64-bit value (-k's helper failures); the output is
 * returned as lower_send_event's is. */
struct eq_output *lower_send_value_event(struct lower *L, enum eq_output_kind kind, struct ir_val v,
					 eq_loc loc);
/* An event the caller fills: a slot of `size` bytes with the output index
 * stored (-1 after an error: too big), the output in *out to complete
 * (it moves with the next event); then lower_event_send. */
int lower_event_slot(struct lower *L, enum eq_output_kind kind, uint32_t size, eq_loc loc,
		     struct eq_output **out);
void lower_event_send(struct lower *L, int slot, uint32_t size, eq_loc loc);
/* Add 1 to the u64 at counter_off in the data map's value (DROPS_VALUE_*),
 * atomically: what failed is reported at exit. */
void lower_count_data(struct lower *L, int32_t counter_off, eq_loc loc);
/* An event carrying the key of a map access: print(@h[k]), delete(@h[k]). */
void lower_send_key_event(struct lower *L, enum eq_output_kind kind, const struct ast *map, eq_loc loc);
/* The same with a key the program holds, laid out as key_type (a for-map
 * loop's $kv.0, laid out as the map's key). */
void lower_send_key_at_event(struct lower *L, enum eq_output_kind kind, int map, struct mem_ref key,
			     const struct eq_type *key_type, eq_loc loc);
/* print(value): an event carrying the value. */
void lower_print_value(struct lower *L, const struct ast *e, eq_loc loc);
/* The key of a map access at slot+at. */
void lower_key_into(struct lower *L, const struct ast *map, int slot, int32_t at);
/* A value of type `to` (an integer, a string, a tuple) at slot+off: e's
 * value, laid out as `to` says (a shorter string is zero-padded). */
void lower_value_into(struct lower *L, const struct ast *e, const struct eq_type *to, int slot,
		      int32_t off);
/* Leave the probe (return, exit()): what follows is unreachable. */
void lower_return(struct lower *L, eq_loc loc);

#endif
#endif
