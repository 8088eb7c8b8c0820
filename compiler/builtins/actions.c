/* actions.c - what a script does beyond printing: signal() sends a signal
 * to the process that hit the probe; system() runs a command and cat()
 * prints a file, both in user space when their event arrives, in order with
 * printf's output.  signal() and system() act on the machine, so they need
 * --unsafe, as in bpftrace. */
#define SEMA_INTERNAL
#define LOWER_INTERNAL
#include <signal.h>
#include <string.h>

#include "builtins.h"
#include "compiler.h"
#include "lower.h"
#include "sema.h"

static bool unsafe_allowed(struct sema *s, const struct ast *call, const char *why)
{
	if (s->info->target && s->info->target->unsafe)
		return true;
	sema_error(s, call->loc, "%s() %s: it needs --unsafe", call->name, why);
	return false;
}

/* The probe kind of the probe being checked. */
static enum eq_attach_kind probe_attach(const struct sema *s)
{
	const struct attach_list *points = &s->info->points[s->probe_index];
	return points->count ? points->items[0].attach : EQ_ATTACH_BEGIN;
}

/* ---- signal ----------------------------------------------------------------- */

static const struct {
	const char *name;
	int number;
} signals[] = {
	{"SIGHUP", SIGHUP}, {"SIGINT", SIGINT}, {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL},
	{"SIGTRAP", SIGTRAP}, {"SIGABRT", SIGABRT}, {"SIGBUS", SIGBUS}, {"SIGFPE", SIGFPE},
	{"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1}, {"SIGSEGV", SIGSEGV}, {"SIGUSR2", SIGUSR2},
	{"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM}, {"SIGCHLD", SIGCHLD},
	{"SIGCONT", SIGCONT}, {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN},
	{"SIGTTOU", SIGTTOU}, {"SIGURG", SIGURG}, {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ},
	{"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH}, {"SIGIO", SIGIO},
	{"SIGPWR", SIGPWR}, {"SIGSYS", SIGSYS},
};
enum { NSIGNALS = sizeof(signals) / sizeof(signals[0]) };

/* "SIGKILL" or "KILL": its number, or 0. */
static int signal_number(const char *name)
{
	for (int i = 0; i < NSIGNALS; i++)
		if (!strcmp(name, signals[i].name) || !strcmp(name, signals[i].name + 3))
			return signals[i].number;
	return 0;
}

/* signal(SIG): SIG a name ("SIGKILL", "KILL"), a number from 1 to 64, or an
 * integer expression; sent to the current task (bpf_send_signal). */
static const struct eq_type *check_signal(struct sema *s, struct ast *call)
{
	struct ast *a = call->list.items[0];
	unsafe_allowed(s, call, "sends signals to the traced processes");
	enum eq_attach_kind attach = probe_attach(s);
	if (attach == EQ_ATTACH_BEGIN || attach == EQ_ATTACH_END)
		sema_error(s, call->loc, "signal() in BEGIN or END would signal ebpfq itself: "
			   "use it in a probe that runs in the process to signal");
	if (a->kind == AST_STR) {
		int number = signal_number(a->str);
		if (!number) {
			sema_error(s, a->loc, "signal(): '%s' is not a signal name", a->str);
			const char *names[NSIGNALS + 1];
			for (int i = 0; i < NSIGNALS; i++)
				names[i] = signals[i].name;
			names[NSIGNALS] = NULL;
			sema_hint(s, a->loc, a->str, names);
			return &ty_none; /* the name stays, for the walk that reports */
		}
		*a = (struct ast){.kind = AST_INT, .loc = a->loc, .ival = number, .type = &ty_s64};
		return &ty_none;
	}
	if (!sema_int_arg(s, call, 0))
		return &ty_none;
	int64_t v;
	if (sema_const_int(s, a, &v) && (v < 1 || v > 64))
		sema_error(s, a->loc, "signal(): %lld is not a signal number (1 to 64)", (long long)v);
	return &ty_none;
}

static void lower_signal(struct lower *L, const struct ast *call)
{
	lower_call(L, BPF_FUNC_send_signal, call->loc, 1, lower_int(L, call->list.items[0]));
}

/* ---- system, cat -------------------------------------------------------------- */

static const struct eq_type *check_system(struct sema *s, struct ast *call)
{
	unsafe_allowed(s, call, "runs commands");
	return builtin_check_format(s, call);
}

static void lower_system(struct lower *L, const struct ast *call)
{
	builtin_lower_format(L, call, EQ_OUT_SYSTEM);
}

static void lower_cat(struct lower *L, const struct ast *call)
{
	builtin_lower_format(L, call, EQ_OUT_CAT);
}

const struct builtin builtins_actions[] = {
	BUILTIN_STATEMENT("signal", 1, 1, check_signal, lower_signal),
	BUILTIN_STATEMENT("system", 1, 1000, check_system, lower_system),
	BUILTIN_STATEMENT("cat", 1, 1000, builtin_check_format, lower_cat),
	{0},
};
