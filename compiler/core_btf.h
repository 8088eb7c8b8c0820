/* core_btf.h - the kernel types an --aot object's CO-RE relocations name
 * (core_btf.c). */
#ifndef EBPFQ_CORE_BTF_H
#define EBPFQ_CORE_BTF_H

#include <stdint.h>
#include <stdio.h>

#include "arena.h"

struct btf;

/* One relocation's access: in, the kernel struct's id in the compiling
 * kernel's BTF and the access path ("0:5:2"); out, their ids in the BTF
 * core_btf_build makes. */
struct core_btf_access {
	uint32_t kernel_id;
	const char *path;
	uint32_t type_id, access_str_off;
};

/* Raw BTF holding, for every access, a copy of its struct and of the types
 * along its path, in which the members on no path stand in as runs of
 * bytes of the same size: what the kernel needs to find the same members
 * in its own types, and not the whole graph of types task_struct reaches.
 * Fills each access's type_id and access_str_off.  Returns the bytes, in
 * arena a, and their number in *size, or NULL (-errno in *error) if a path
 * does not fit the kernel's types or memory ran out. */
void *core_btf_build(const struct btf *kernel, struct core_btf_access *accesses, int n, struct arena *a,
		     uint32_t *size, int *error);

/* For -d bpf: "struct task_struct 0:19:14 (se.vruntime)", the members an
 * access path names from the kernel struct root. */
void core_btf_describe(FILE *out, const struct btf *kernel, uint32_t root, const char *path);

#endif
