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
	struct arena *img_arena;  /* outputs, which end up in the image */
	struct eq_diag *diag;
	const struct sema_info *info;
	int ringbuf_map, drops_map;
	struct {
		struct eq_output *items;
		int count, cap;
	} outputs;
	int filter_pid;           /* -p PID, or 0 */
	int child_pid;            /* -c: user probes filter on it, or 0 */
	bool uses_events;         /* some program sends events: the ring buffer is needed */
};

/* The drops map's value: events lost to a full ring buffer, the program
 * start time (for elapsed), map updates the kernel refused (a full map). */
enum { DROPS_VALUE_LOST = 0, DROPS_VALUE_START_NS = 8, DROPS_VALUE_MAP_FULL = 16,
       DROPS_VALUE_SIZE = 24 };

/* Lower one probe's filter and body for one attach point.  NULL after
 * reporting an error the type checker could not see (a record too big). */
struct ir_func *lower_probe(struct lower_env *env, const struct ast *probe,
			    const struct attach_point *ap, const char *name);


/* ---- shared by lower.c and lower_event.c (one pass in two files) ------ */
#ifdef LOWER_INTERNAL

struct lower {
	struct lower_env *env;
	struct arena *arena;
	const struct attach_point *ap;
	struct ir_func *f;
	struct ir_block *cur;   /* where code goes now */
	struct ir_block *exit;  /* `ret 0`, placed last */
	int ctx;                /* vreg holding the context */
	int *var_vreg;          /* per sema var: vreg of an integer variable */
	int *var_slot;          /* per sema var: frame slot of a string variable */
	bool failed;
};

/* A string value: in a frame slot, or a constant known at compile time. */
struct str_loc {
	int slot;         /* -1 for a constant */
	int32_t off;
	uint32_t size;
	const char *text; /* constant */
	int len;
};

struct ir_insn *lower_emit(struct lower *L, enum ir_op op, eq_loc loc);
int lower_binop(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc);
struct ir_val lower_arith(struct lower *L, enum ir_op op, struct ir_val a, struct ir_val b, eq_loc loc);
int lower_call(struct lower *L, int helper, eq_loc loc, int nargs, ...);
int lower_frame_addr(struct lower *L, int slot, int32_t off, eq_loc loc);
int lower_map_addr(struct lower *L, int map, eq_loc loc);
void lower_store(struct lower *L, int slot, int32_t off, uint8_t size, struct ir_val v, eq_loc loc);
void lower_branch(struct lower *L, enum ir_cond c, struct ir_val a, struct ir_val b,
		  struct ir_block *t, struct ir_block *f, eq_loc loc);
void lower_jump(struct lower *L, struct ir_block *to, eq_loc loc);
void lower_mov(struct lower *L, int d, struct ir_val v, eq_loc loc);
void lower_place(struct lower *L, struct ir_block *b);
struct ir_block *lower_block(struct lower *L);
struct ir_val lower_int(struct lower *L, const struct ast *e);
struct str_loc lower_str(struct lower *L, const struct ast *e);
void lower_str_into(struct lower *L, const struct ast *e, int slot, int32_t off, uint32_t size);
int lower_key(struct lower *L, const struct ast *map);
void lower_error(struct lower *L, eq_loc loc, const char *msg);

/* lower_event.c */
void lower_call_stmt(struct lower *L, const struct ast *call);
void lower_map_assign(struct lower *L, const struct ast *st);
struct ir_val lower_map_read(struct lower *L, const struct ast *map);
void lower_str_map_read(struct lower *L, const struct ast *map, int slot, int32_t off, uint32_t size);

#endif
#endif
