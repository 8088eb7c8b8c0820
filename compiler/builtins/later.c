/* later.c - builtins of the language (LANGUAGE.md §3-4) that this compiler
 * cannot generate code for yet.  They are known by name, so a script using
 * one is told "not supported yet" rather than "unknown", and did-you-mean
 * offers them.  Each moves to its family's file when it is implemented. */
#include "builtins.h"


const struct builtin builtins_later[] = {
	/* bpf_d_path() is allowed only in fentry/fexit and LSM programs, which
	 * this kernel refuses to load (EPERM), so nothing here could run it */
	{.name = "path", .kind = BUILTIN_CALL,
	 .later = "is not supported yet: it needs bpf_d_path(), which the kernel allows only in "
		  "fentry/fexit probes"},
	{0},
};
