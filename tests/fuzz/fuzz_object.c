/* fuzz_object.c - libFuzzer harness: runtime/object_read.c, which reads
 * `ebpfq --aot` objects back into images, over arbitrary bytes.
 *
 * Built by tests/fuzz.sh with clang -fsanitize=fuzzer,address,undefined and
 * seeded with objects ebpfq wrote, which the mutator corrupts.  An object is
 * untrusted input: every input must be read or refused with a message, and
 * an image read must be whole (every index in range: the walk below touches
 * what the runtime would).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every field's nested elements, as printing would. */
static unsigned walk_field(const struct eq_field *f)
{
	unsigned n = f->size + (f->name ? (unsigned char)f->name[0] : 0);
	int subs = f->kind == EQ_FIELD_ARRAY ? (f->elems ? 1 : 0) : f->elems ? f->nelems : 0;
	for (int i = 0; i < subs; i++)
		n += walk_field(&f->elems[i]);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static int fd = -1;
	static char path[64];
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	if (fd < 0) {
		fd = memfd_create("object", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	struct eq_image *img = NULL;
	struct rt_object_params params;
	if (rt_object_read(path, devnull, &img, &params))
		return 0;
	volatile unsigned sum = 0;
	for (int i = 0; i < img->nmaps; i++) {
		const struct eq_map *m = &img->maps[i];
		for (int k = 0; k < m->nkey_fields; k++)
			sum += walk_field(&m->key_fields[k]);
		sum += walk_field(&m->value_field);
	}
	for (int i = 0; i < img->nprogs; i++) {
		const struct eq_prog *p = &img->progs[i];
		for (uint32_t r = 0; r < p->nrefs; r++)
			sum += p->insns[p->refs[r].insn_index + 1].imm + img->maps[p->refs[r].map_index].type;
		sum += p->insns[p->ninsns - 1].code;
		for (uint32_t l = 0; l < p->nlines; l++) /* as runtime/load.c shows them */
			sum += p->insns[p->lines[l].insn_off].code +
			       (p->lines[l].line ? (unsigned char)img->source_lines[p->lines[l].line - 1][0] : 0);
		for (uint32_t f = 0; f < p->nfuncs; f++)
			sum += p->insns[p->func_starts[f]].code;
	}
	for (int i = 0; i < img->noutputs; i++) {
		const struct eq_output *o = &img->outputs[i];
		for (int a = 0; o->args && a < o->nargs; a++)
			sum += walk_field(&o->args[a].field);
		if (o->line)
			sum += (unsigned char)img->source_lines[o->line - 1][0];
		for (int p = 0; p < o->nprogs; p++)
			sum += img->progs[o->progs[p]].ninsns;
	}
	for (int i = 0; i < params.n; i++)
		sum += (unsigned char)params.values[i][0];
	(void)sum;
	eq_image_free(img);
	return 0;
}
