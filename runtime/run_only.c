/* run_only.c - ebpfq-run: the runtime alone, for machines that run objects
 * `ebpfq --aot` compiled elsewhere.  main.c is the same as ebpfq's; it goes
 * straight to `run` when called as ebpfq-run, so the compiler's entry points
 * are never reached.  These stand-ins for them (and for the question
 * whether the llvm back end is built in) keep the front end and back
 * end (lexer, parser, IR, register allocator, emitter) out of the link. */
#include "compiler.h"

int eq_compile(const struct eq_compile_opts *opts, struct eq_image **out)
{
	fprintf(opts->diag_out, "ebpfq-run: this program runs objects (ebpfq --aot FILE.o) and has no "
		"compiler: use ebpfq\n");
	*out = NULL;
	return 1;
}

int eq_list_probes(FILE *out, FILE *err, const char *pattern, const char *(*tracefs)(void), int pid,
		   bool verbose)
{
	(void)out, (void)pattern, (void)tracefs, (void)pid, (void)verbose;
	fputs("ebpfq-run: -l needs the compiler: use ebpfq\n", err);
	return -1;
}

bool eq_llvm_backend_built(void)
{
	return false; /* no back end at all */
}

int eq_object_write(const struct eq_image *img, const char *path, int nparams, const char *const *params,
		    FILE *err)
{
	(void)img, (void)path, (void)nparams, (void)params;
	fputs("ebpfq-run: --aot needs the compiler: use ebpfq\n", err);
	return -1;
}
