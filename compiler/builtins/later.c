/* later.c - builtins of the language (LANGUAGE.md §3-4) that this compiler
 * cannot generate code for yet.  They are known by name, so a script using
 * one is told "not supported yet" rather than "unknown", and did-you-mean
 * offers them.  Each moves to its family's file when it is implemented. */
#include "builtins.h"

#define LATER_VAR(n) {.name = n, .kind = BUILTIN_VAR, .later = "not supported yet"}
#define LATER_CALL(n) {.name = n, .kind = BUILTIN_CALL, .later = "not supported yet"}

const struct builtin builtins_later[] = {
	LATER_VAR("kstack"), LATER_VAR("ustack"), LATER_VAR("username"),
	LATER_CALL("buf"), LATER_CALL("ksym"), LATER_CALL("usym"), LATER_CALL("kaddr"),
	LATER_CALL("uaddr"), LATER_CALL("kstack"), LATER_CALL("ustack"), LATER_CALL("ntop"),
	LATER_CALL("strftime"),
	{0},
};
