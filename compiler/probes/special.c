/* special.c - BEGIN and END: programs ebpfq runs once itself, at the start
 * and at the end, with bpf_prog_test_run (see runtime/attach_special.c). */
#include "probes.h"

#include <string.h>

enum { SPECIAL_BEGIN, SPECIAL_END };

static int resolve_special(struct probe_resolve *r, const struct probe_kind *kind, const char *rest)
{
	if (strchr(r->spec->name, ':')) {
		diag_error(r->diag, r->spec->loc, "%s takes no arguments", kind->name);
		return -1;
	}
	struct attach_point p = {
		.probe_name = kind->name,
		.func = kind->name,
		.attach = kind->variant == SPECIAL_BEGIN ? EQ_ATTACH_BEGIN : EQ_ATTACH_END,
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.target = kind->name,
		.note = "run once by ebpfq",
		.ctx = CTX_NONE,
	};
	probe_add_point(r, p);
	return 0;
}

static const struct probe_kind kinds[] = {
	{"BEGIN", NULL, NULL, resolve_special, SPECIAL_BEGIN},
	{"END", NULL, NULL, resolve_special, SPECIAL_END},
	{NULL},
};

static const struct probe_context no_context = {CTX_NONE, "BEGIN and END probes", NULL, NULL};
static const struct probe_context *const contexts[] = {&no_context, NULL};

const struct probe_provider probes_special = {
	.family = "special",
	.kinds = kinds,
	.contexts = contexts,
};
