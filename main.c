/* main.c - the ebpfq command: read a script, compile it, load it, attach
 * it, print what it says, detach.  The whole pipeline reads top to bottom
 * in main(); everything else is argument handling.
 *
 * Exit status: 0 success, 1 a runtime failure (load, attach, -c command),
 * 2 a usage or compile error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler.h"
#include "runtime.h"

#define EBPFQ_VERSION "0.1.0"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli {
	const char *program_text;  /* -e */
	const char *script_path;   /* FILE.ebq */
	const char *command;       /* -c */
	const char *output_path;   /* -o */
	bool list;                 /* -l */
	const char *list_pattern;
	unsigned dump;             /* -d */
	bool dry_run;              /* -n */
	bool verbose, quiet;
	enum eq_output_format format;
	int strlen;
	int syscall_dispatch_min; /* EBPFQ_SYSCALL_DISPATCH_MIN, 0: the default */
	int map_keys;              /* EBPFQ_MAP_KEYS_MAX */
	pid_t pid;                 /* -p */
	bool unsafe;               /* --unsafe */
	int helper_errors;         /* -k: 1, -kk: 2 */
	const char *export_addr;   /* --export */
	enum eq_backend backend;   /* --backend, or EBPFQ_BACKEND */
	int nparams;
	char **params;
	const char *aot_path;      /* --aot FILE.o */
	bool run_object;           /* `ebpfq run FILE.o`, or ebpfq-run: script_path is the object */
	const char *compile_option; /* the last option given that only compiling takes */
};

static void usage(FILE *out)
{
	fputs("usage: ebpfq [OPTIONS] FILE.ebq [ARGS...]\n"
	      "       ebpfq [OPTIONS] -e 'PROGRAM'\n"
	      "\n"
	      "  -e PROGRAM        the program text\n"
	      "  -c CMD            run CMD, trace it, exit when it exits\n"
	      "  -p PID            only this process\n"
	      "  -d ast|ir|bpf|all print a compiler stage instead of running\n"
	      "                    (and -d llvm: the llvm back end's LLVM IR)\n"
	      "  -n, --dry-run     compile and load into the kernel verifier, attach nothing\n"
	      "  -f text|json      output format\n"
	      "  -o FILE           write the program's output to FILE instead of stdout\n"
	      "  -k, -kk           report failed helper calls (-k: map updates, signals;\n"
	      "                    -kk: memory reads too), with the script's line\n"
	      "  -v                verbose: attach points, program sizes, verifier logs\n"
	      "  -q                quiet: no \"Attaching N probes...\" line\n"
	      "  --strlen N        string buffer size in bytes (default 64, or $EBPFQ_STRLEN)\n"
	      "  --unsafe          allow system(), signal() and uprobes at FUNC+OFFSET\n"
	      "  --export [ADDR:]PORT  serve the maps as Prometheus metrics at /metrics\n"
	      "                    while tracing (ADDR 127.0.0.1 unless given)\n"
	      "  --aot FILE.o      write the compiled program as a BPF ELF object, do not run it\n"
	      "  --info            what this kernel and build support\n"
	      "  --backend NAME    code generator: native, or llvm where built with it\n"
	      "                    (or $EBPFQ_BACKEND)\n"
	      "\n"
	      "       ebpfq run [OPTIONS] FILE.o [ARGS...]   (or ebpfq-run [OPTIONS] FILE.o [ARGS...])\n"
	      "  runs an object --aot wrote; OPTIONS: -c, -p, -f, -o, -q, -v, -n, --unsafe, --export\n"
	      "  -h, --help        this help\n"
	      "  -V, --version     the version\n", out);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("ebpfq: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'ebpfq --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_dump(const char *s, unsigned *dump)
{
	if (!strcmp(s, "ast"))
		*dump |= EQ_DUMP_AST;
	else if (!strcmp(s, "ir"))
		*dump |= EQ_DUMP_IR;
	else if (!strcmp(s, "bpf"))
		*dump |= EQ_DUMP_BPF;
	else if (!strcmp(s, "llvm"))
		*dump |= EQ_DUMP_LLVM;
	else if (!strcmp(s, "all"))
		*dump |= EQ_DUMP_AST | EQ_DUMP_IR | EQ_DUMP_BPF;
	else
		return -1;
	return 0;
}

/* --backend NAME (or EBPFQ_BACKEND): llvm only where it was built in. */
static int parse_backend(const char *name, enum eq_backend *backend)
{
	if (!strcmp(name, "native")) {
		*backend = EQ_BACKEND_NATIVE;
	} else if (strcmp(name, "llvm")) {
		usage_error("--backend takes native or llvm, not '%s'", name);
		return -1;
	} else if (!eq_llvm_backend_built()) {
		usage_error("%s", "this ebpfq was built without the llvm back end (configure --with-llvm)");
		return -1;
	} else {
		*backend = EQ_BACKEND_LLVM;
	}
	return 0;
}

/* -p PID: a decimal number in Linux's range of pids, naming a process that
 * is there now; -1 after a message. */
static int parse_pid(const char *text, pid_t *pid)
{
	enum { PID_MAX_LIMIT = 4194304 }; /* the kernel's most, on 64-bit machines */
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end || errno) {
		usage_error("-p takes a process id (a decimal number), not '%s'", text);
		return -1;
	}
	if (v < 1 || v > PID_MAX_LIMIT) {
		fprintf(stderr, "ebpfq: -p %s: a process id is from 1 to %d\n", text, PID_MAX_LIMIT);
		return -1;
	}
	if (kill((pid_t)v, 0) && errno == ESRCH) {
		fprintf(stderr, "ebpfq: -p %s: no such process\n", text);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct cli *cli)
{
	enum { OPT_UNSAFE = 256, OPT_STRLEN, OPT_BACKEND, OPT_INFO, OPT_EXPORT, OPT_AOT };
	static const struct option longs[] = {
		{"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
		{"dry-run", no_argument, NULL, 'n'},   {"unsafe", no_argument, NULL, OPT_UNSAFE},
		{"strlen", required_argument, NULL, OPT_STRLEN},
		{"backend", required_argument, NULL, OPT_BACKEND},
		{"info", no_argument, NULL, OPT_INFO},
		{"export", required_argument, NULL, OPT_EXPORT},
		{"aot", required_argument, NULL, OPT_AOT},
		{NULL, 0, NULL, 0},
	};
	const char *env_strlen = getenv("EBPFQ_STRLEN");
	cli->strlen = env_strlen ? atoi(env_strlen) : 64;
	const char *env_keys = getenv("EBPFQ_MAP_KEYS_MAX");
	cli->map_keys = env_keys ? atoi(env_keys) : EQ_DEFAULT_MAP_KEYS;
	if (cli->map_keys < 1)
		return usage_error("EBPFQ_MAP_KEYS_MAX must be a number of keys from 1 up, not '%s'", env_keys);
	const char *env_backend = getenv("EBPFQ_BACKEND");
	/* running an object compiles nothing: the variable is for compiling runs */
	if (env_backend && *env_backend && !cli->run_object && parse_backend(env_backend, &cli->backend))
		return EXIT_USAGE;
	const char *env_dispatch = getenv("EBPFQ_SYSCALL_DISPATCH_MIN");
	cli->syscall_dispatch_min = env_dispatch ? atoi(env_dispatch) : 0;
	opterr = 0;
	int c;
next_options:
	while ((c = getopt_long(argc, argv, "+e:c:p:d:o:f:lknvqhV", longs, NULL)) != -1) {
		switch (c) {
		case 'e': cli->program_text = optarg; cli->compile_option = "-e"; break;
		case 'c': cli->command = optarg; break;
		case 'p':
			if (parse_pid(optarg, &cli->pid))
				return EXIT_USAGE;
			break;
		case 'd':
			if (parse_dump(optarg, &cli->dump))
				return usage_error("-d takes ast, ir, bpf, llvm or all, not '%s'", optarg);
			cli->compile_option = "-d";
			break;
		case 'k': cli->helper_errors++; cli->compile_option = "-k"; break;
		case 'n': cli->dry_run = true; break;
		case 'v': cli->verbose = true; break;
		case 'q': cli->quiet = true; break;
		case 'f':
			if (!strcmp(optarg, "json"))
				cli->format = EQ_FORMAT_JSON;
			else if (strcmp(optarg, "text"))
				return usage_error("-f takes text or json, not '%s'", optarg);
			break;
		case OPT_STRLEN:
			cli->strlen = atoi(optarg);
			if (cli->strlen < 8 || cli->strlen > 4096)
				return usage_error("--strlen takes a size from 8 to 4096, not '%s'", optarg);
			cli->compile_option = "--strlen";
			break;
		case OPT_UNSAFE: cli->unsafe = true; break;
		case OPT_EXPORT: {
			char why[256];
			if (rt_export_check(optarg, why, sizeof(why)))
				return usage_error("%s", why);
			cli->export_addr = optarg;
			break;
		}
		case OPT_BACKEND:
			if (parse_backend(optarg, &cli->backend))
				return EXIT_USAGE;
			cli->compile_option = "--backend";
			break;
		case 'l': /* its pattern is the next word: -lv is -l -v, as bpftrace's */
			cli->list = true;
			cli->compile_option = "-l";
			break;
		case OPT_AOT: cli->aot_path = optarg; cli->compile_option = "--aot"; break;
		case 'o': cli->output_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ebpfq %s\n", EBPFQ_VERSION); return 0;
		case OPT_INFO:
			if (rt_check_privileges(stderr))
				return EXIT_RUNTIME;
			return rt_print_info(stdout, EBPFQ_VERSION, eq_llvm_backend_built() ? "native, llvm" : "native");
		case ':':
		case '?':
			if (optopt >= 256) /* a long option's value: --strlen, --export... */
				return usage_error("option %s needs an argument", argv[optind - 1]);
			if (optopt && strchr("ecpdof", optopt))
				return usage_error("option -%s needs an argument", (char[]){(char)optopt, 0});
			if (optopt)
				return usage_error("unknown option -%s", (char[]){(char)optopt, 0});
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (cli->list) {
		if (!cli->list_pattern && optind < argc) {
			cli->list_pattern = argv[optind++];
			goto next_options; /* -l PATTERN -p PID: options may follow it */
		}
		return -1;
	}
	if (cli->run_object && cli->compile_option) {
		fprintf(stderr, "ebpfq: run: %s is an option of compiling: give it to ebpfq --aot, "
			"which compiles the object\n", cli->compile_option);
		return EXIT_USAGE;
	}
	if (cli->run_object && optind >= argc)
		return usage_error("%s", "run: no object: give FILE.o, written by ebpfq --aot");
	if (!cli->program_text) {
		if (optind >= argc)
			return usage_error("%s", "no program: give a script FILE or -e 'PROGRAM'");
		cli->script_path = argv[optind++];
	}
	cli->nparams = argc - optind;
	cli->params = argv + optind;
	return -1;
}

/* The script text ("-": standard input), or NULL after a message. */
static char *read_script(const char *path, size_t *len)
{
	bool from_stdin = !strcmp(path, "-");
	FILE *f = from_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "ebpfq: cannot read '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n == cap - 1)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(f)) {
		fprintf(stderr, "ebpfq: cannot read '%s': %s\n", path, strerror(errno ? errno : EIO));
		free(buf);
		if (!from_stdin)
			fclose(f);
		return NULL;
	}
	if (!from_stdin)
		fclose(f);
	buf[n] = 0; /* the front end may look ahead with string functions */
	*len = n;
	return buf;
}

/* ---- -c CMD: started before attaching, held until every probe is attached --- */

struct child {
	pid_t pid;
	int release_fd; /* write a byte: the child may exec */
	int exec_fd;    /* the child writes errno here if exec fails */
};

/* The program's path as execvp would find it, found before the fork so that
 * the traced child makes one execve, not one per $PATH entry. */
static char *resolve_program(const char *name)
{
	if (strchr(name, '/'))
		return strdup(name);
	const char *path = getenv("PATH");
	char *dirs = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *full;
		if (asprintf(&full, "%s/%s", *d ? d : ".", name) < 0)
			break;
		if (access(full, X_OK) == 0) {
			free(dirs);
			return full;
		}
		free(full);
	}
	free(dirs);
	return strdup(name);
}

static int child_start(const char *command, struct child *ch)
{
	/* a command that cannot run is reported before anything is attached */
	char first[256];
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(command + strspn(command, " \t"), " \t"),
		 command + strspn(command, " \t"));
	char *program = resolve_program(first);
	int ok = *first && access(program, X_OK) == 0;
	int err = errno;
	/* access() lets root "execute" a directory or a device, which execve()
	 * refuses only once every probe is attached: refuse them here */
	struct stat st;
	if (ok && (stat(program, &st) || !S_ISREG(st.st_mode))) {
		ok = 0;
		err = EACCES;
	}
	free(program);
	if (!ok) {
		fprintf(stderr, "ebpfq: cannot run '%s': %s\n", command, *first ? strerror(err) : "empty command");
		return -1;
	}
	int release[2], exec_err[2];
	if (pipe2(release, O_CLOEXEC) || pipe2(exec_err, O_CLOEXEC)) {
		perror("ebpfq: pipe");
		return -1;
	}
	ch->pid = fork();
	if (ch->pid < 0) {
		perror("ebpfq: fork");
		return -1;
	}
	if (ch->pid == 0) {
		char *argv[64];
		int argc = 0;
		char *copy = strdup(command), *save = NULL;
		for (char *w = strtok_r(copy, " \t", &save); w && argc < 63; w = strtok_r(NULL, " \t", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		char *program = argc ? resolve_program(argv[0]) : NULL;
		char go;
		close(release[1]);
		if (read(release[0], &go, 1) != 1)
			_exit(127); /* ebpfq gave up before attaching */
		if (argc)
			execv(program, argv);
		int err = argc ? errno : ENOENT;
		if (write(exec_err[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(release[0]);
	close(exec_err[1]);
	ch->release_fd = release[1];
	ch->exec_fd = exec_err[0];
	return 0;
}

/* Let the child exec; 0, or -1 after a message if the exec failed. */
static int child_release(const char *command, struct child *ch)
{
	char go = 1;
	if (write(ch->release_fd, &go, 1) != 1)
		return -1;
	close(ch->release_fd);
	int err = 0;
	ssize_t n = read(ch->exec_fd, &err, sizeof(err));
	close(ch->exec_fd);
	if (n == (ssize_t)sizeof(err)) {
		fprintf(stderr, "ebpfq: cannot run '%s': %s\n", command, strerror(err));
		waitpid(ch->pid, NULL, 0);
		return -1;
	}
	return 0;
}

/* Tracing ended before the -c command did (Ctrl-C, a signal to ebpfq,
 * exit()): the command is not left running untraced.  It gets SIGTERM, a
 * second to go, then SIGKILL; then it is reaped.  (Ctrl-C on a terminal has
 * usually ended it already: it is in ebpfq's process group.) */
static void child_end(struct child *ch)
{
	if (waitpid(ch->pid, NULL, WNOHANG) != 0)
		return; /* reaped already, or gone */
	kill(ch->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(ch->pid, NULL, WNOHANG) != 0)
			return;
		usleep(10000);
	}
	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, NULL, 0);
}

static void child_abandon(struct child *ch)
{
	if (ch->pid <= 0)
		return;
	close(ch->release_fd); /* the child reads EOF and exits */
	close(ch->exec_fd);
	waitpid(ch->pid, NULL, 0);
}

/* ---- signals ------------------------------------------------------------------------ */

static volatile int stop_requested; /* the one global: signal handlers can reach nothing else */

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the pipeline ------------------------------------------------------------------- */

/* Load, attach, run and finish; the -c child (ch->pid > 0) was started,
 * held, before compiling, so that its user probes could filter on its pid. */
static int run_session(const struct cli *cli, const struct eq_image *img, struct child *chp,
		       const struct eq_run_opts *ro)
{
	struct child ch = *chp;
	struct eq_session *s = NULL;
	int rc = rt_session_load(img, ro, &s);
	if (!rc && cli->dry_run) {
		if (cli->verbose)
			fprintf(stderr, "ebpfq: %d program%s passed the kernel verifier\n", img->nprogs,
				img->nprogs == 1 ? "" : "s");
		rt_session_free(s);
		child_abandon(&ch);
		return 0;
	}
	if (!rc)
		rc = rt_session_attach(s);
	if (rc) {
		rt_session_free(s);
		child_abandon(&ch);
		return EXIT_RUNTIME;
	}
	if (ch.pid > 0 && child_release(cli->command, &ch)) {
		rt_session_finish(s, false);
		rt_session_free(s);
		return EXIT_RUNTIME;
	}
	rt_session_run(s, &stop_requested, ch.pid);
	int written = rt_session_finish(s, true);
	rt_session_free(s);
	if (ch.pid > 0)
		child_end(&ch);
	if (written < 0) { /* what the script printed did not all arrive */
		if (cli->output_path)
			fprintf(stderr, "ebpfq: cannot write '%s': %s\n", cli->output_path, strerror(-written));
		else
			fprintf(stderr, "ebpfq: cannot write the standard output: %s\n", strerror(-written));
		return EXIT_RUNTIME;
	}
	return 0;
}

/* An environment variable set to something other than "" or "0". */
static bool env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0");
}

/* The run, with its output on stdout or in the -o file. */
static int run(const struct cli *cli, const struct eq_image *img, struct child *chp)
{
	struct eq_run_opts ro = {.out = stdout, .err = stderr, .verbose = cli->verbose,
				 .quiet = cli->quiet, .format = cli->format,
				 .target_pid = chp->pid > 0 ? chp->pid : cli->pid,
				 .filter_pid = cli->pid, .child_pid = chp->pid > 0 ? chp->pid : 0,
				 .no_uprobe_multi = env_flag("EBPFQ_NO_UPROBE_MULTI"),
				 .no_raw_tracepoints = env_flag("EBPFQ_NO_RAW_TRACEPOINTS"),
				 .export_addr = cli->export_addr};
	if (cli->output_path) {
		/* opened only now: a script that does not compile leaves no file */
		ro.out = fopen(cli->output_path, "w");
		if (!ro.out) {
			fprintf(stderr, "ebpfq: cannot write '%s': %s\n", cli->output_path, strerror(errno));
			child_abandon(chp);
			return EXIT_RUNTIME;
		}
	}
	int rc = run_session(cli, img, chp, &ro);
	if (ro.out != stdout && fclose(ro.out) && !rc) {
		fprintf(stderr, "ebpfq: cannot write '%s': %s\n", cli->output_path, strerror(errno));
		rc = EXIT_RUNTIME;
	}
	return rc;
}

/* `ebpfq run FILE.o [ARGS...]`: the image from the object instead of the
 * compiler, then the same run.  The script's arguments were folded into the
 * programs when the object was compiled: the same arguments run it, others
 * are refused (compile it again with them). */
static int run_object(const struct cli *cli)
{
	struct rt_object_params params;
	struct eq_image *img = NULL;
	if (rt_object_read(cli->script_path, stderr, &img, &params))
		return EXIT_RUNTIME;
	bool same = params.n == cli->nparams;
	for (int i = 0; same && i < params.n; i++)
		same = !strcmp(params.values[i], cli->params[i]);
	int rc = -1;
	if (params.uses && !same) {
		fprintf(stderr, "%s: error: the script's arguments ($1.., $#) were compiled into this object: "
			"run it with the same %d argument%s, or compile it again with --aot and these\n",
			cli->script_path, params.n, params.n == 1 ? "" : "s");
		for (int i = 0; i < params.n; i++)
			fprintf(stderr, "    $%d = '%s'\n", i + 1, params.values[i]);
		rc = EXIT_USAGE;
	}
	for (int i = 0; rc < 0 && !cli->unsafe && i < img->noutputs; i++)
		if (img->outputs[i].kind == EQ_OUT_SYSTEM) {
			fprintf(stderr, "%s: error: this object runs commands (system()): give --unsafe to run it\n",
				cli->script_path);
			rc = EXIT_USAGE;
		}
	struct child ch = {.pid = -1};
	if (rc < 0 && rt_check_privileges(stderr))
		rc = EXIT_RUNTIME;
	if (rc < 0 && cli->command && child_start(cli->command, &ch))
		rc = EXIT_RUNTIME;
	if (rc < 0) {
		catch_signals();
		rc = run(cli, img, &ch);
	}
	eq_image_free(img);
	return rc;
}

/* ebpfq-run: the runtime alone, which runs objects and nothing else. */
static bool runtime_only(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	return !strcmp(base ? base + 1 : argv0, "ebpfq-run");
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	char **given = argv, *run_word = NULL; /* --export's helper runs with the words given */
	if (argc > 0 && runtime_only(argv[0])) {
		cli.run_object = true;
	} else if (argc > 1 && !strcmp(argv[1], "run")) { /* a script named run: ./run */
		cli.run_object = true;
		run_word = argv[1];
		argv[1] = argv[0];
		argc--, argv++;
	}
	int rc = parse_args(argc, argv, &cli);
	if (rc >= 0)
		return rc;
	if (cli.run_object) {
		if (run_word)
			given[1] = run_word;
		if (cli.export_addr && rt_export_delegate(given, stderr))
			return EXIT_RUNTIME;
		return run_object(&cli);
	}

	if (cli.export_addr && !cli.dump && rt_export_delegate(argv, stderr))
		return EXIT_RUNTIME;
	if (cli.list)
		return eq_list_probes(stdout, stderr, cli.list_pattern, rt_tracefs_dir, cli.pid, cli.verbose) > 0 ? 0 : EXIT_RUNTIME;

	struct eq_source src = {.file = "<cmdline>", .text = cli.program_text};
	char *script = NULL;
	if (cli.script_path) {
		script = read_script(cli.script_path, &src.len);
		if (!script)
			return EXIT_USAGE;
		src.file = strcmp(cli.script_path, "-") ? cli.script_path : "<stdin>";
		src.text = script;
	} else {
		src.len = strlen(src.text);
	}

	bool running = !cli.dump && !cli.aot_path;
	if (running && rt_check_privileges(stderr)) {
		free(script);
		return EXIT_RUNTIME;
	}
	struct child ch = {.pid = -1};
	if (running && cli.command && child_start(cli.command, &ch)) {
		free(script);
		return EXIT_RUNTIME;
	}
	/* EBPFQ_BTF: another kernel's types, as bpftrace's BPFTRACE_BTF */
	const char *btf_env = getenv("EBPFQ_BTF");
	struct eq_compile_opts co = {
		.src = &src, .strlen = cli.strlen, .map_keys = cli.map_keys, .dump = cli.dump, .dump_out = stdout,
		.diag_out = stderr, .filter_pid = cli.pid,
		.helper_errors = cli.helper_errors, .backend = cli.backend, .aot = cli.aot_path != NULL,
		.nparams = cli.nparams, .params = (const char *const *)cli.params,
		.target = {.has_kprobes = rt_kernel_has_kprobes(), .tracefs = rt_tracefs_dir(),
			   .kernel_btf = btf_env && *btf_env ? btf_env : "/sys/kernel/btf/vmlinux", .child_pid = ch.pid > 0 ? ch.pid : 0,
			   .pid = cli.pid, .command = cli.command,
			   .unsafe = cli.unsafe, .syscall_dispatch_min = cli.syscall_dispatch_min,
			   .ncpus = rt_possible_cpus(), .max_stack = rt_max_stack_frames()},
	};
	struct eq_image *img = NULL;
	if (eq_compile(&co, &img)) {
		child_abandon(&ch);
		free(script);
		return EXIT_USAGE;
	}
	catch_signals(); /* from here on a signal ends tracing cleanly */
	if (cli.aot_path)
		rc = eq_object_write(img, cli.aot_path, cli.nparams, (const char *const *)cli.params, stderr)
		     ? EXIT_USAGE : 0;
	else
		rc = running ? run(&cli, img, &ch) : 0;
	eq_image_free(img);
	free(script);
	return rc;
}
