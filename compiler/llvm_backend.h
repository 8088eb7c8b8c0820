/* llvm_backend.h - the optional second code generator (--backend llvm).
 *
 * The same IR the native back end allocates and emits is translated to LLVM
 * IR (llvm_backend.c), optimised at -O2 and compiled by LLVM's BPF target
 * to an ELF object in memory; llvm_elf.c reads the object's instructions
 * and relocations back into the emit_result that emit.c would have made, so
 * that vcheck, the image, the runtime and every output are the native
 * back end's.  It exists to check our register allocator and emitter
 * against another compiler (tests/llvm.sh) and to measure them (bench/).
 *
 * Built only when configured --with-llvm (HAVE_LLVM); without it the
 * functions below are stubs that say so, and nothing links LLVM.
 */
#ifndef EBPFQ_LLVM_BACKEND_H
#define EBPFQ_LLVM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ir.h"

struct llvm_backend;

#ifdef HAVE_LLVM
/* One per compilation: LLVM's context and BPF target machine, made once for
 * every program.  dump_llvm: where -d llvm prints each program's LLVM IR
 * before and after optimisation (NULL: nowhere).  NULL and *error set if
 * LLVM has no BPF target. */
struct llvm_backend *llvm_backend_new(FILE *dump_llvm, const char **error);
void llvm_backend_free(struct llvm_backend *lb);
/* The program f and its subprograms (opt_fold'ed, not register-allocated)
 * to instructions, map references and line info in a's memory.  Returns 0,
 * or -1 with *error (in a) saying what LLVM refused. */
int llvm_backend_compile(struct llvm_backend *lb, struct arena *a, const struct ir_func *f,
			 struct emit_result *out, const char **error);
static inline bool llvm_backend_built(void) { return true; }
#else
static inline struct llvm_backend *llvm_backend_new(FILE *dump_llvm, const char **error)
{
	(void)dump_llvm;
	*error = "this ebpfq was built without the llvm back end (configure --with-llvm)";
	return NULL;
}
static inline void llvm_backend_free(struct llvm_backend *lb) { (void)lb; }
static inline int llvm_backend_compile(struct llvm_backend *lb, struct arena *a, const struct ir_func *f,
				       struct emit_result *out, const char **error)
{
	(void)lb, (void)a, (void)f, (void)out;
	*error = "not built";
	return -1;
}
static inline bool llvm_backend_built(void) { return false; }
#endif

/* llvm_elf.c: the object LLVM wrote, back to what emit.c makes.  The
 * program is the function `main_name` in section `section`; its
 * subprograms are the section's other functions. */
struct llvm_elf_in {
	const void *object;
	size_t size;
	const char *section;
	const char *main_name;
	eq_loc main_loc;         /* the program's first line, where .BTF.ext has none at 0 */
	const char *const *sub_names; /* f->subprogs' function names, by index */
	const eq_loc *sub_locs;  /* and their first lines, likewise */
	int nsubs;
};
int llvm_elf_read(struct arena *a, const struct llvm_elf_in *in, struct emit_result *out,
		  const char **error);

#endif
