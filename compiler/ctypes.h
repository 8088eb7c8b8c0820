/* ctypes.h - C types by name, and the script's C definitions (ctypes.c). */
#ifndef EBPFQ_CTYPES_H
#define EBPFQ_CTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "types.h"

struct btf;
struct btf_types;
struct ctypes;

/* Where the kernel's BTF comes from: read when a type first needs it (a
 * script that names no C type never reads it).  NULL if there is none. */
struct ctypes_kernel {
	const struct btf *(*read)(void *ctx);
	void *ctx;
};

struct ctypes *ctypes_new(struct arena *a, struct eq_diag *diag, struct ctypes_kernel kernel);
/* The script's definitions (AST_PROGRAM's a): struct, union, enum, typedef,
 * and #include.  `script` is the script's path, for "relative" includes.
 * Returns the number of errors reported. */
int ctypes_define(struct ctypes *c, const struct ast *definitions, const char *script);
/* The type a cast, sizeof() or offsetof() names; NULL after an error at
 * the type's place.  `user`: it describes user memory, where the script's
 * definitions come first (else the kernel's BTF does). */
const struct eq_type *ctypes_resolve_for(struct ctypes *c, const struct ast *type, bool user);
const struct eq_type *ctypes_resolve(struct ctypes *c, const struct ast *type);
/* A type by its name ("struct task_struct", "unsigned int", "pid_t"), or NULL. */
const struct eq_type *ctypes_lookup_for(struct ctypes *c, const char *name, bool user);
const struct eq_type *ctypes_lookup(struct ctypes *c, const char *name);
/* The kernel's struct NAME ("struct task_struct"), whose BTF is read only
 * when one of its members is: curtask costs nothing unless it is read. */
const struct eq_type *ctypes_kernel_record(struct ctypes *c, const char *name);
/* An enumerator of the script's enums or the kernel's. */
bool ctypes_enum_value(struct ctypes *c, const char *name, int64_t *value);
/* The kernel's types, reading BTF now if it was not read yet; NULL without BTF. */
struct btf_types *ctypes_kernel(struct ctypes *c);

#endif
