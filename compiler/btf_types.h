/* btf_types.h - the kernel's types from its BTF, as ebq types (btf_types.c). */
#ifndef EBPFQ_BTF_TYPES_H
#define EBPFQ_BTF_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "types.h"

struct btf;
struct btf_types;

/* Types converted from btf (which must outlive them), into arena. */
struct btf_types *btf_types_new(struct arena *a, const struct btf *btf);
/* The type of a BTF id; void for 0 or an id BTF does not have. */
const struct eq_type *btf_types_by_id(struct btf_types *bt, uint32_t id);
/* "struct task_struct", "union bpf_attr", "enum pid_type", or a typedef's
 * name ("pid_t"); NULL if the kernel has no such type. */
const struct eq_type *btf_types_find(struct btf_types *bt, const char *name);
/* The value of an enumerator of some kernel enum (TASK_COMM_LEN...). */
bool btf_types_enum_value(struct btf_types *bt, const char *name, int64_t *value);
/* Parameter n of the function type a typedef names (btf_trace_NAME, whose
 * parameter 0 is the raw tracepoint's cookie); NULL if there is none. */
const struct eq_type *btf_types_func_arg(struct btf_types *bt, const char *typedef_name, int n);

#endif
