/* fuzz_compile.c - libFuzzer harness: the whole compiler library, from
 * script text to a verifier-checked image, over arbitrary bytes.
 *
 * Built by tests/fuzz.sh with clang -fsanitize=fuzzer,address,undefined.
 * The compiler is told the kernel has no kprobes and no tracefs, so it
 * never opens a file of the running system: every input compiles the same
 * way on every machine, and a crash found here replays anywhere.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Diagnostics are part of what is tested (caret lines, hints), so they
	 * are written, but to /dev/null; opened once, as the fuzzer runs
	 * millions of inputs in one process. */
	static FILE *devnull;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	/* main.c hands the compiler a NUL-terminated copy of the script (the
	 * front end may look ahead with string functions); so do we, and
	 * keep any NUL bytes inside the input, as a script file can have. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct eq_source src = {.file = "fuzz.ebq", .text = text, .len = size};
	static const char *const params[] = {"42", "word"}; /* $1, $2 */
	struct eq_compile_opts opts = {
		.src = &src,
		.target = {.has_kprobes = false, .tracefs = NULL},
		.strlen = 64,
		.diag_out = devnull,
		.dump_out = devnull,
		.nparams = 2,
		.params = params,
	};
	struct eq_image *img = NULL;
	eq_compile(&opts, &img);
	eq_image_free(img);
	free(text);
	return 0;
}
