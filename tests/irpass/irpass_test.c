/* irpass_test.c - the IR passes from text to text (tests/irpass.sh).
 *
 *   irpass_test FILE.ir          run the passes FILE's `# pass:` line names on
 *                                each function and print the result
 *   irpass_test --roundtrip FILE print each function of a -d ir dump as read
 *   irpass_test --one FILE       the same with ir_parse(), which reads one only
 *   irpass_test --emit FILE      regalloc + emit each function of a -d ir dump
 *                                and list the instructions, as -d bpf does
 *
 * Passes, applied in the order the line gives them:
 *   print     none: the function as read (for inputs that must not parse)
 *   fold      opt_fold()
 *   regalloc  regalloc(), then emit_func(): prints the IR as allocated (spill
 *             slots, reloads), the register of each vreg, and the instructions
 *             in the -d bpf form, each group under the .ir line it came from.
 * Everything, parse errors included, goes to stdout, so one golden holds it.
 * Exit status: 0, 1 if the text did not parse or a pass failed, 2 on misuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "ir.h"
#include "../test_file.h"

enum pass { PASS_PRINT, PASS_FOLD, PASS_REGALLOC };
static const char *const pass_names[] = {"print", "fold", "regalloc"};
enum { MAX_PASSES = 8 };

/* The `# pass: NAME...` line: how many passes it names, into passes. */
static int passes_of(const char *text, const char *file, enum pass *passes)
{
	const char *line = strstr(text, "# pass:");
	if (!line || (line != text && line[-1] != '\n')) {
		fprintf(stderr, "%s: no `# pass: NAME...` line\n", file);
		return -1;
	}
	int n = 0;
	const char *p = line + strlen("# pass:");
	for (;;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t\n");
		if (!len)
			return n;
		int k = 0;
		while (k < 3 && (strlen(pass_names[k]) != len || strncmp(p, pass_names[k], len)))
			k++;
		if (k == 3 || n == MAX_PASSES) {
			fprintf(stderr, "%s: unknown pass `%.*s` (print, fold, regalloc)\n", file, (int)len, p);
			return -1;
		}
		passes[n++] = (enum pass)k;
		p += len;
	}
}

/* An image around one emitted function, for bpf_prog_print(): the .ir text
 * stands in for the script, so each instruction is listed under its IR line,
 * and map N is called "N", as the IR calls it. */
static void print_emitted(struct arena *a, const struct ir_func *f, const struct emit_result *r,
			  const char *file, const char **lines, int nlines)
{
	struct eq_image img = {.file = file, .source_lines = lines, .nsource_lines = nlines};
	for (uint32_t i = 0; i < r->nrefs; i++)
		if ((int)r->refs[i].map_index >= img.nmaps)
			img.nmaps = (int)r->refs[i].map_index + 1;
	img.maps = ARENA_ARRAY(a, struct eq_map, img.nmaps + 1);
	for (int m = 0; m < img.nmaps; m++)
		img.maps[m].name = arena_printf(a, "%d", m);
	struct eq_prog p = {.name = f->name, .probe_name = file, .insns = r->insns, .ninsns = r->ninsns,
			    .nrefs = r->nrefs, .nlines = r->nlines};
	p.refs = ARENA_ARRAY(a, struct eq_map_ref, r->nrefs + 1);
	for (uint32_t i = 0; i < r->nrefs; i++)
		p.refs[i] = (struct eq_map_ref){r->refs[i].insn_index, r->refs[i].map_index,
						r->refs[i].value, r->refs[i].value_offset};
	p.lines = ARENA_ARRAY(a, struct eq_line, r->nlines + 1);
	for (uint32_t i = 0; i < r->nlines; i++)
		p.lines[i] = (struct eq_line){r->lines[i].insn_off, (uint32_t)r->lines[i].line,
					      (uint32_t)r->lines[i].col};
	bpf_prog_print(stdout, &img, &p);
	for (uint32_t i = 0; i < r->ncore; i++) /* fieldadds' CO-RE relocations */
		printf("core relocation: insn %u, kind %u, btf %u %s\n", r->core[i].insn_index, r->core[i].kind,
		       r->core[i].access.btf_id, r->core[i].access.path);
}

/* regalloc + emit; with_ir: the allocated IR and the registers first. */
static int allocate(struct arena *a, struct ir_func *f, bool with_ir, const char *file,
		    const char **lines, int nlines)
{
	struct ir_func *failed;
	uint32_t limit;
	struct arena scratch = {0};
	int rc = regalloc_program(a, &scratch, f, &failed, &limit);
	arena_free(&scratch);
	if (rc < 0) {
		printf("%s: regalloc: more than %u bytes of stack\n", failed->name, limit);
		return -1;
	}
	if (with_ir) {
		ir_print(stdout, f);
		for (int k = -1; k < f->subprogs.count; k++) {
			const struct ir_func *g = k < 0 ? f : f->subprogs.items[k];
			printf("registers%s%s:", k < 0 ? "" : " of ", k < 0 ? "" : g->name);
			for (int v = 0; v < g->nvregs; v++)
				if (g->reg_of[v] >= 0)
					printf(" v%d=r%d", v, g->reg_of[v]);
			fputc('\n', stdout);
		}
	}
	struct emit_result r;
	emit_func(a, a, f, &r);
	print_emitted(a, f, &r, file, lines, nlines);
	return 0;
}

/* The text's lines, for the listing's "; LINE @ FILE:N" comments. */
static const char **split_lines(struct arena *a, const char *text, int *n)
{
	*n = 1;
	for (const char *p = text; *p; p++)
		*n += *p == '\n';
	const char **lines = ARENA_ARRAY(a, const char *, *n);
	for (int i = 0; i < *n; i++) {
		size_t len = strcspn(text, "\n");
		lines[i] = arena_strndup(a, text, len);
		text += len + (text[len] == '\n');
	}
	return lines;
}

static int run(const char *mode, const char *file, const char *text, struct arena *a)
{
	enum pass passes[MAX_PASSES];
	int npasses = 0;
	if (!mode && (npasses = passes_of(text, file, passes)) < 0)
		return 2;
	int nfuncs = 1, nlines, rc = 0;
	struct ir_func *one = NULL, **funcs = &one;
	if (mode && !strcmp(mode, "--one"))
		one = ir_parse(a, text, file, stdout);
	else
		funcs = ir_parse_all(a, text, file, stdout, &nfuncs);
	if (!funcs || !funcs[0])
		return 1;
	const char **lines = split_lines(a, text, &nlines);
	for (int i = 0; i < nfuncs; i++) {
		struct ir_func *f = funcs[i];
		bool printed = false;
		if (mode && !strcmp(mode, "--emit")) {
			rc |= allocate(a, f, false, file, lines, nlines) < 0;
			continue;
		}
		for (int k = 0; k < npasses; k++) {
			if (passes[k] == PASS_FOLD)
				for (int s = -1; s < f->subprogs.count; s++)
					opt_fold(s < 0 ? f : f->subprogs.items[s]);
			if (passes[k] == PASS_REGALLOC) {
				rc |= allocate(a, f, true, file, lines, nlines) < 0;
				printed = true;
			}
		}
		if (!printed)
			ir_print(stdout, f);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : NULL;
	if ((argc != 2 && argc != 3) || (mode && strcmp(mode, "--roundtrip") && strcmp(mode, "--one") &&
					  strcmp(mode, "--emit"))) {
		fputs("usage: irpass_test [--roundtrip | --one | --emit] FILE\n", stderr);
		return 2;
	}
	const char *file = argv[argc - 1];
	char *text = test_read_file(file, NULL);
	if (!text)
		return 2;
	struct arena arena = {0};
	int rc = run(mode, file, text, &arena);
	arena_free(&arena);
	free(text);
	return rc;
}
