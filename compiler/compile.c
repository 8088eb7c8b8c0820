/* compile.c - the compiler's pipeline, top to bottom:
 *
 *   parse -> sema -> (per attach point) lower -> opt_fold -> regalloc
 *         -> emit -> vcheck -> image
 *
 * Each stage can be printed (-d ast, -d ir, -d bpf).  The AST and IR live in
 * arenas freed here; the image has its own arena and outlives the call.
 */
#include "compiler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "front.h"
#include "ir.h"
#include "llvm_backend.h"
#include "lower.h"
#include "probe.h"
#include "core_btf.h"
#include "ctypes.h"
#include "sema.h"
#include "symtab.h"
#include "syscall_dispatch.h"

enum { RINGBUF_BYTES = 256 * 1024, SCRATCH_LIMIT = 32768, STACK_MAP_BYTES = 64 << 20 };

struct compile {
	const struct eq_compile_opts *opts;
	struct eq_diag diag;
	struct arena ast_arena, ir_arena;
	struct arena insn_arena; /* the IR's instructions (lower_env.insn_arena) */
	struct arena scratch; /* lowering's, regalloc's and vcheck's tables, reused by each function */
	struct sema_info info;
	struct eq_image *img;
	struct lower_env env;
	struct {
		struct eq_prog *items;
		int count, cap;
	} progs;
	struct attach_list *points; /* per probe */
	bool uses_params;           /* eq_image.uses_params */
	struct probe_cache probe_cache;
	struct syscall_plan dispatch;
	int first_dispatch_map; /* image index of dispatcher 0's prog array */
	struct {
		struct watch_setup {
			const struct attach_point *ap; /* a watchpoint on a function's argument */
			int prog;                      /* its program's image index */
			const struct ast *probe;
		} *items;
		int count, cap;
	} setups;
	int scratch_map;        /* image index of the scratch map */
	struct llvm_backend *llvm; /* --backend llvm: made at the first program */
	bool llvm_core_warned;
	/* --aot: the programs' CO-RE relocations, until the BTF they name is
	 * made (core_relocations) */
	struct {
		struct pending_core {
			int prog;
			uint32_t insn, kind;
			struct ir_core_access access;
		} *items;
		int count, cap;
	} core;
};

static enum eq_value_kind value_kind(const struct eq_type *t)
{
	static const enum eq_value_kind of_agg[] = {
		[AGG_COUNT] = EQ_VALUE_COUNT, [AGG_SUM] = EQ_VALUE_SUM, [AGG_AVG] = EQ_VALUE_AVG,
		[AGG_MIN] = EQ_VALUE_MIN, [AGG_MAX] = EQ_VALUE_MAX, [AGG_STATS] = EQ_VALUE_STATS,
		[AGG_HIST] = EQ_VALUE_HIST, [AGG_LHIST] = EQ_VALUE_LHIST,
	};
	switch (t->kind) {
	case TY_AGG: return of_agg[t->agg];
	case TY_STR: return EQ_VALUE_STR;
	case TY_TUPLE: case TY_RECORD: case TY_ARRAY: case TY_STACK: case TY_SYMBOL: case TY_TEXT:
		return EQ_VALUE_COMPOSITE;
	default: return EQ_VALUE_INT;
	}
}

/* A script map as the kernel will hold it.  Aggregations are per CPU; a
 * histogram's key ends with the bucket.  Key-less maps are arrays for
 * aggregations (which can never miss: one entry, or one per bucket) and
 * one-entry hashes for the rest (so an unassigned map stays empty). */
static struct eq_map user_map(struct compile *c, const struct sema_map *sm)
{
	struct arena *a = &c->img->arena;
	const struct eq_type *v = &sm->value;
	bool agg = v->kind == TY_AGG;
	bool hist = agg && (v->agg == AGG_HIST || v->agg == AGG_LHIST);
	struct eq_map m = {
		.name = arena_strdup(a, sm->name),
		.role = EQ_MAP_USER,
		.key_size = sm->key_size + (hist && sm->nkeys ? 8 : 0),
		.value_size = (sm->value_size + 7) & ~7u,
		.max_entries = !sm->nkeys ? (hist ? agg_buckets(v) : 1)
			       : c->opts->map_keys > 0 ? (uint32_t)c->opts->map_keys : EQ_DEFAULT_MAP_KEYS,
		.is_percpu = agg,
		.has_key = sm->nkeys > 0,
		.nkey_fields = sm->nkeys,
		.value_kind = value_kind(v),
		.value_field = lower_field_of(a, agg ? &ty_s64 : v, 0),
		.lhist_min = v->lhist_min, .lhist_max = v->lhist_max, .lhist_step = v->lhist_step,
	};
	m.value_field.is_signed = v->is_signed;
	if (agg)
		m.type = sm->nkeys ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_PERCPU_ARRAY;
	else
		m.type = BPF_MAP_TYPE_HASH;
	m.key_fields = ARENA_ARRAY(a, struct eq_field, sm->nkeys + 1);
	for (int k = 0; k < sm->nkeys; k++) {
		m.key_fields[k] = lower_field_of(a, &sm->keys[k], sm->key_offsets[k]);
		if (sm->key_names[k] && *sm->key_names[k])
			m.key_fields[k].name = arena_strdup(a, sm->key_names[k]);
	}
	return m;
}

/* The stacks' frames, two maps per frame count; and the processes announced
 * to user space (builtins/stacks.c).  A stack map is a hash table with no
 * chains: a stack whose bucket is taken is refused, and goes to the second
 * map (whose bucket for it is the same: only a third stack of a bucket is
 * lost).  The kernel gives a map the power of two above its entries as
 * buckets, and preallocates the entries (value_size each, 8 ms for 16385 of
 * 127 frames): 4 x the map keys + 1 entries buy 8 x the keys buckets.  Of
 * 4096 distinct stacks, one map would refuse 6 %, the two 0.3 %; of 1000,
 * 1.5 % and 0.02 %. */
static void add_stack_maps(struct compile *c)
{
	struct eq_image *img = c->img;
	uint32_t keys = c->opts->map_keys > 0 ? (uint32_t)c->opts->map_keys : EQ_DEFAULT_MAP_KEYS;
	c->env.first_stack_map = img->nmaps;
	for (int i = 0; i < c->info.stack_frames.count; i++) {
		uint32_t frames = c->info.stack_frames.items[i];
		uint64_t entries = 4 * (uint64_t)keys + 1;
		if (entries * frames * 8 > STACK_MAP_BYTES)
			entries = STACK_MAP_BYTES / (frames * 8);
		for (int second = 0; second < 2; second++)
			img->maps[img->nmaps++] = (struct eq_map){
				.name = arena_printf(&img->arena, "ebpfq_stk%u%s", frames, second ? "_2" : ""),
				.role = EQ_MAP_STACKS, .type = BPF_MAP_TYPE_STACK_TRACE, .key_size = 4,
				.value_size = 8 * frames, .max_entries = (uint32_t)entries};
	}
	c->env.pids_map = -1;
	if (c->info.watches_pids) {
		c->env.pids_map = img->nmaps;
		img->maps[img->nmaps++] = (struct eq_map){.name = "ebpfq_pids", .role = EQ_MAP_PIDS,
			.type = BPF_MAP_TYPE_LRU_HASH, .key_size = 4, .value_size = 8, .max_entries = keys};
	}
}

static void build_maps(struct compile *c)
{
	struct eq_image *img = c->img;
	int n = c->info.maps.count;
	img->maps = ARENA_ARRAY(&img->arena, struct eq_map,
				n + 4 + c->dispatch.count + 2 * c->info.stack_frames.count);
	for (int i = 0; i < n; i++)
		img->maps[i] = user_map(c, &c->info.maps.items[i]);
	img->ringbuf_map = n;
	img->maps[n] = (struct eq_map){.name = "ebpfq_events", .role = EQ_MAP_RINGBUF,
				       .type = BPF_MAP_TYPE_RINGBUF, .max_entries = RINGBUF_BYTES};
	img->drops_map = n + 1;
	img->maps[n + 1] = (struct eq_map){.name = "ebpfq_data", .role = EQ_MAP_DROPS,
					   .type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
					   .value_size = DROPS_VALUE_SIZE, .max_entries = 1};
	img->nmaps = n + 2;
	add_stack_maps(c);
	c->first_dispatch_map = img->nmaps;
	for (int d = 0; d < c->dispatch.count; d++)
		img->maps[img->nmaps++] = syscall_dispatch_map(&c->dispatch, d, &img->arena);
	/* last: it grows as programs take regions of it, and goes if none does */
	c->scratch_map = img->nmaps;
	img->maps[img->nmaps++] = (struct eq_map){.name = "ebpfq_scratch", .role = EQ_MAP_SCRATCH,
		.type = BPF_MAP_TYPE_PERCPU_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1};
}

static void split_source_lines(struct eq_image *img, const struct eq_source *src)
{
	int n = 1;
	for (size_t i = 0; i < src->len; i++)
		n += src->text[i] == '\n';
	img->source_lines = ARENA_ARRAY(&img->arena, const char *, n);
	const char *p = src->text, *end = src->text + src->len;
	for (int l = 0; l < n; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		img->source_lines[l] = arena_strndup(&img->arena, p, len);
		p += len + (nl != NULL);
	}
	img->nsource_lines = n;
}

/* A program into the image, printed for -d bpf and checked against the
 * verifier's rules. */
static int add_prog(struct compile *c, struct eq_prog p)
{
	ARENA_PUSH(&c->img->arena, c->progs, p);
	struct eq_prog *prog = &c->progs.items[c->progs.count - 1];
	c->img->progs = c->progs.items;
	c->img->nprogs = c->progs.count;
	if (c->opts->dump & EQ_DUMP_BPF)
		bpf_prog_print(c->opts->dump_out, c->img, prog);
	return vcheck_prog(&c->scratch, c->img, prog, &c->diag);
}

/* The program's registers and its subprograms': a frame that does not fit
 * is reported at the probe, or at the loop whose body it is. */
static int allocate_registers(struct compile *c, struct ir_func *f, const struct ast *probe)
{
	struct ir_func *failed;
	uint32_t limit;
	if (regalloc_program(&c->ir_arena, &c->scratch, f, &failed, &limit) == 0)
		return 0;
	if (failed == f) {
		diag_error(&c->diag, probe->loc, "this probe needs more than %u bytes of stack", limit);
	} else {
		const struct ir_block *entry = failed->blocks.items[0];
		eq_loc loc = entry->insns.count ? entry->insns.items[0].loc : probe->loc; /* the loop's */
		diag_error(&c->diag, loc, "the body of this loop needs more than the %u bytes of stack "
			   "the probe leaves it (the two share 512): use fewer or shorter strings and "
			   "tuples in the probe or the loop", limit);
	}
	return -1;
}

/* Does the function still read its context after dead code went?  (A
 * for-map loop's body reads it through the main function's.) */
static bool reads_ctx(const struct ir_func *f)
{
	for (int b = 0; b < f->blocks.count; b++) {
		const struct ir_block *blk = f->blocks.items[b];
		for (int i = 0; i < blk->insns.count; i++)
			if (blk->insns.items[i].op == IR_CTX)
				return true;
	}
	return false;
}

bool eq_llvm_backend_built(void)
{
	return llvm_backend_built();
}

/* The IR through LLVM instead of regalloc + emit (compiler/llvm_backend.c);
 * what LLVM refuses is an error at the probe. */
static int generate_with_llvm(struct compile *c, struct ir_func *f, const struct attach_point *ap,
			      const struct ast *probe, struct emit_result *r)
{
	const char *error = NULL;
	if (!c->llvm) {
		c->llvm = llvm_backend_new(c->opts->dump & EQ_DUMP_LLVM ? c->opts->dump_out : NULL, &error);
		if (!c->llvm) {
			diag_error(&c->diag, probe->loc, "the llvm back end cannot compile probe %s: %s",
				   ap->probe_name, error);
			return -1;
		}
	}
	if (llvm_backend_compile(c->llvm, &c->ir_arena, f, r, &error) == 0)
		return 0;
	diag_error(&c->diag, probe->loc, "the llvm back end cannot compile probe %s: %s",
		   ap->probe_name, error);
	return -1;
}

/* Does f (or a subprogram) read a kernel struct's member an --aot object
 * would relocate? */
static bool has_core_access(const struct ir_func *f)
{
	bool found = f->core.count > 0;
	for (int k = 0; !found && k < f->subprogs.count; k++)
		found = f->subprogs.items[k]->core.count > 0;
	return found;
}

/* -d bpf under --aot: which instructions' offsets the loader relocates,
 * and to which member: "; CO-RE 14: struct task_struct 0:125 (comm)". */
static void print_core_accesses(struct compile *c, const struct emit_result *r)
{
	const struct btf *btf = probe_kernel_btf(&c->opts->target, &c->probe_cache);
	for (uint32_t i = 0; btf && i < r->ncore; i++) {
		static const char *const kinds[] = {
			[BPF_CORE_FIELD_BYTE_OFFSET] = "offset", [BPF_CORE_FIELD_BYTE_SIZE] = "size",
			[BPF_CORE_FIELD_LSHIFT_U64] = "left shift", [BPF_CORE_FIELD_RSHIFT_U64] = "right shift"};
		fprintf(c->opts->dump_out, "; CO-RE %u: %s of ", r->core[i].insn_index, kinds[r->core[i].kind]);
		core_btf_describe(c->opts->dump_out, btf, r->core[i].access.btf_id, r->core[i].access.path);
		fputc('\n', c->opts->dump_out);
	}
}

/* --aot: the BTF the CO-RE relocations name, and each program's
 * relocations in its terms (core_btf.c). */
static void core_relocations(struct compile *c, const struct ast *program)
{
	const struct btf *kernel = probe_kernel_btf(&c->opts->target, &c->probe_cache);
	int n = c->core.count, error = -ENOENT;
	struct core_btf_access *accesses = ARENA_ARRAY(&c->ir_arena, struct core_btf_access, n);
	for (int i = 0; i < n; i++)
		accesses[i] = (struct core_btf_access){c->core.items[i].access.btf_id, c->core.items[i].access.path};
	uint32_t size = 0;
	void *btf = kernel ? core_btf_build(kernel, accesses, n, &c->img->arena, &size, &error) : NULL;
	if (!btf) {
		diag_error(&c->diag, program->loc, "--aot: cannot describe the kernel structs the programs "
			   "read for CO-RE relocation: %s", strerror(-error));
		return;
	}
	struct arena *a = &c->img->arena;
	c->img->core_btf = btf;
	c->img->core_btf_size = size;
	for (int i = 0; i < n; i++) /* each program's relocations: count, then fill */
		c->img->progs[c->core.items[i].prog].ncore_relos++;
	for (int i = 0; i < c->img->nprogs; i++) {
		c->img->progs[i].core_relos = ARENA_ARRAY(a, struct eq_core_relo, c->img->progs[i].ncore_relos + 1);
		c->img->progs[i].ncore_relos = 0;
	}
	for (int i = 0; i < n; i++) {
		struct eq_prog *p = &c->img->progs[c->core.items[i].prog];
		p->core_relos[p->ncore_relos++] = (struct eq_core_relo){
			c->core.items[i].insn, accesses[i].type_id, accesses[i].access_str_off, c->core.items[i].kind};
	}
}

/* IR -> instructions of the image. */
static int finish_prog(struct compile *c, struct ir_func *f, const struct attach_point *ap,
		       const struct ast *probe)
{
	const struct eq_compile_opts *o = c->opts;
	struct arena *a = &c->img->arena;
	opt_fold(f);
	for (int k = 0; k < f->subprogs.count; k++)
		opt_fold(f->subprogs.items[k]);
	if (o->dump & EQ_DUMP_IR)
		ir_print(o->dump_out, f);
	bool ctx_unused = !reads_ctx(f);
	struct emit_result r = {0};
	if (o->backend == EQ_BACKEND_LLVM) {
		if (generate_with_llvm(c, f, ap, probe, &r) < 0)
			return -1;
	} else {
		if (allocate_registers(c, f, probe) < 0)
			return -1;
		emit_func(&c->ir_arena, a, f, &r);
	}
	struct eq_prog p = {
		.name = f->name, .probe_name = arena_strdup(a, ap->probe_name),
		.attach_note = arena_strdup(a, ap->note), .prog_type = ap->prog_type,
		.attach = ap->attach, .target = arena_strdup(a, ap->target),
		.target_offset = ap->target_offset, .ref_ctr_offset = ap->ref_ctr_offset,
		.target_btf_id = ap->target_btf_id, .perf = ap->perf, .watch = ap->watch,
		.tail_map = ap->attach == EQ_ATTACH_SYSCALL ? (uint32_t)(c->first_dispatch_map + ap->dispatcher) : 0,
		.tail_key = ap->syscall_nr, .ctx_unused = ctx_unused,
		.ninsns = r.ninsns, .nrefs = r.nrefs, .nlines = r.nlines,
		.line = (uint32_t)ap->loc.line, .col = (uint32_t)ap->loc.col,
	};
	if (o->backend == EQ_BACKEND_LLVM) { /* emit_func's are in the image already */
		p.insns = ARENA_ARRAY(a, struct bpf_insn, r.ninsns);
		memcpy(p.insns, r.insns, sizeof(*p.insns) * r.ninsns);
	} else {
		p.insns = r.insns;
	}
	p.nfuncs = r.nfuncs;
	p.func_starts = ARENA_ARRAY(a, uint32_t, r.nfuncs + 1);
	memcpy(p.func_starts, r.func_starts, sizeof(*p.func_starts) * r.nfuncs);
	p.refs = ARENA_ARRAY(a, struct eq_map_ref, r.nrefs + 1);
	for (uint32_t i = 0; i < r.nrefs; i++)
		p.refs[i] = (struct eq_map_ref){r.refs[i].insn_index, r.refs[i].map_index,
						r.refs[i].value, r.refs[i].value_offset};
	p.lines = ARENA_ARRAY(a, struct eq_line, r.nlines + 1);
	for (uint32_t i = 0; i < r.nlines; i++)
		p.lines[i] = (struct eq_line){r.lines[i].insn_off, (uint32_t)r.lines[i].line,
					      (uint32_t)r.lines[i].col};
	for (uint32_t i = 0; i < r.ncore; i++) {
		struct pending_core pc = {c->progs.count, r.core[i].insn_index, r.core[i].kind, r.core[i].access};
		ARENA_PUSH(&c->ir_arena, c->core, pc);
	}
	if (o->backend == EQ_BACKEND_LLVM && o->aot && !c->llvm_core_warned && has_core_access(f)) {
		diag_warning(&c->diag, probe->loc, "with the llvm back end, kernel struct offsets are "
			     "not relocated (CO-RE): the object runs only on kernels with this one's "
			     "struct layouts");
		c->llvm_core_warned = true;
	}
	int rc = add_prog(c, p);
	if (r.ncore && (o->dump & EQ_DUMP_BPF))
		print_core_accesses(c, &r);
	return rc;
}

static bool reads_args(const struct ast *n)
{
	if (!n)
		return false;
	if (n->kind == AST_BUILTIN && !strcmp(n->name, "args"))
		return true;
	for (int i = 0; i < n->list.count; i++)
		if (reads_args(n->list.items[i]))
			return true;
	return reads_args(n->a) || reads_args(n->b) || reads_args(n->c);
}

/* Whether any point has a format to load (probe_load_format does nothing
 * for the others): the walk over the probe for `args` is skipped where it
 * would not matter, a long BEGIN probe's 100,000 nodes. */
static bool on_tracepoint(const struct attach_list *points, const char *tracefs)
{
	for (int k = 0; tracefs && k < points->count; k++)
		if (points->items[k].attach == EQ_ATTACH_TRACEPOINT)
			return true;
	return false;
}

/* $N in a probe spec (`interval:ms:$1`, `uprobe:$1:main`) is the script's
 * Nth argument's text, as in bpftrace; an unset one is empty. */
static void expand_spec_params(struct compile *c, struct ast *spec)
{
	const char *name = spec->name;
	if (!strchr(name, '$'))
		return;
	c->uses_params = true;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return;
	for (const char *p = name; *p;) {
		if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			long n = strtol(p + 1, &end, 10);
			if (n >= 1 && n <= c->opts->nparams)
				fputs(c->opts->params[n - 1], f);
			p = end;
		} else {
			fputc(*p++, f);
		}
	}
	fclose(f);
	spec->name = arena_strdup(&c->ast_arena, out ? out : "");
	free(out);
}

/* Specs to attach points, before sema: args->FIELD is typed from the
 * formats of the tracepoints a probe runs on. */
static void resolve_probes(struct compile *c, struct ast *program)
{
	c->points = ARENA_ARRAY(&c->ir_arena, struct attach_list, program->list.count + 1);
	for (int i = 0; i < program->list.count; i++) {
		const struct ast *probe = program->list.items[i];
		struct attach_list *points = &c->points[i];
		int errors = c->diag.errors;
		for (int s = 0; s < probe->list.count; s++) {
			expand_spec_params(c, probe->list.items[s]);
			probe_resolve(probe->list.items[s], &c->opts->target, &c->probe_cache,
				      &c->ir_arena, &c->diag, points, probe->list.count > 1);
		}
		if (!points->count && c->diag.errors == errors)
			diag_error(&c->diag, probe->loc, "this probe has nowhere to attach: none of its "
				   "functions exists");
		if (on_tracepoint(points, c->opts->target.tracefs) &&
		    (reads_args(probe->a) || reads_args(probe->b)))
			for (int k = 0; k < points->count; k++)
				probe_load_format(&points->items[k], c->opts->target.tracefs, &c->ir_arena);
	}
	syscall_dispatch_plan(&c->dispatch, c->points, program->list.count, &c->opts->target,
			      &c->probe_cache, &c->ir_arena);
}

/* The kernel's BTF for the C types, through the probe cache: read once,
 * and only if something needs it. */
static const struct btf *kernel_btf(void *ctx)
{
	struct compile *c = ctx;
	return probe_kernel_btf(&c->opts->target, &c->probe_cache);
}

/* The scratch map's value covers every region the programs so far took,
 * for vcheck. */
static void grow_scratch(struct compile *c)
{
	struct eq_map *scratch = &c->img->maps[c->scratch_map];
	if (c->env.scratch_used > scratch->value_size)
		scratch->value_size = c->env.scratch_used;
}

/* One uprobe program for each function whose arguments watchpoints watch
 * (see lower_watch_setup), after the watchpoint programs it sets. */
static void compile_watch_setups(struct compile *c)
{
	int n = c->setups.count;
	const struct attach_point **group = ARENA_ARRAY(&c->ir_arena, const struct attach_point *, n + 1);
	uint32_t *progs = ARENA_ARRAY(&c->ir_arena, uint32_t, n + 1);
	bool *done = ARENA_ARRAY(&c->ir_arena, bool, n + 1);
	for (int i = 0; i < n && c->diag.errors == 0; i++) {
		if (done[i])
			continue; /* set up with an earlier one on its function */
		const struct attach_point *first = c->setups.items[i].ap;
		int size = 0;
		for (int k = i; k < n; k++) {
			const struct attach_point *setup = c->setups.items[k].ap->setup;
			if (!done[k] && !strcmp(setup->target, first->setup->target) &&
			    setup->target_offset == first->setup->target_offset) {
				group[size] = c->setups.items[k].ap;
				progs[size++] = (uint32_t)c->setups.items[k].prog;
				done[k] = true;
			}
		}
		struct attach_point setup = *first->setup;
		if (size > 1)
			setup.note = arena_printf(&c->ir_arena, "%s; and for %d more watchpoint%s on "
						  "this function", setup.note, size - 1, size == 2 ? "" : "s");
		const char *name = arena_printf(&c->img->arena, "probe%d", c->progs.count);
		struct ir_func *f = lower_watch_setup(&c->env, group, progs, size, name);
		grow_scratch(c);
		if (f)
			finish_prog(c, f, &setup, c->setups.items[i].probe);
	}
}

/* The ring buffer holds 256 KiB of events, for probes that fire faster than
 * user space reads.  A program whose events all come from BEGIN and END, once
 * each, needs only room for those: a page or a few.  That is most of the
 * memory a short script's run touches (the kernel maps every page of the
 * buffer into ebpfq, twice), and a quarter of its start-up (bench/startup.sh). */
static void size_ring_buffer(struct compile *c)
{
	if (c->env.streams_events)
		return;
	/* a page, the kernel's least: the smallest there is, 4 KiB; the runtime
	 * rounds up to its machine's (an --aot image may run on another) */
	uint64_t bytes = 4096;
	while (bytes < c->env.once_event_bytes)
		bytes *= 2;
	if (bytes < RINGBUF_BYTES)
		c->img->maps[c->img->ringbuf_map].max_entries = (uint32_t)bytes;
}

static void compile_probes(struct compile *c, struct ast *program)
{
	c->env = (struct lower_env){.arena = &c->ir_arena, .insn_arena = &c->insn_arena,
				    .var_arena = &c->scratch, .img_arena = &c->img->arena,
				    .diag = &c->diag, .info = &c->info,
				    .ringbuf_map = c->img->ringbuf_map, .drops_map = c->img->drops_map,
				    .scratch_map = c->scratch_map, .first_stack_map = c->env.first_stack_map,
				    .pids_map = c->env.pids_map,
				    .filter_pid = c->opts->filter_pid,
				    .ncpus = c->opts->target.ncpus > 0 ? c->opts->target.ncpus : EQ_DEFAULT_NCPUS,
				    .child_pid = c->opts->target.child_pid,
				    .helper_errors = c->opts->helper_errors, .aot = c->opts->aot,
				    .lines_by_thread = c->img->lines_by_thread = c->info.writes_partial_lines};
	for (int i = 0; i < program->list.count; i++) {
		const struct ast *probe = program->list.items[i];
		const struct attach_list *points = &c->points[i];
		for (int k = 0; k < points->count && c->diag.errors == 0; k++) {
			const struct attach_point *ap = &points->items[k];
			int index = c->progs.count;
			const char *name = arena_printf(&c->img->arena, "probe%d", index);
			struct ir_func *f = lower_probe(&c->env, probe, ap, name);
			grow_scratch(c);
			struct watch_setup w = {ap, index, probe};
			if (f && finish_prog(c, f, ap, probe) == 0 && ap->setup)
				ARENA_PUSH(&c->ir_arena, c->setups, w);
		}
	}
	compile_watch_setups(c);
	/* after the programs they run: the runtime attaches in image order */
	for (int d = 0; d < c->dispatch.count && c->diag.errors == 0; d++)
		add_prog(c, syscall_dispatch_prog(&c->dispatch, d, (uint32_t)(c->first_dispatch_map + d),
						  &c->img->arena));
	size_ring_buffer(c);
	c->img->outputs = c->env.outputs.items;
	c->img->noutputs = c->env.outputs.count;
	if (!c->env.scratch_used) /* no program needed it: not created */
		c->img->nmaps--;
	else if (c->env.scratch_used > SCRATCH_LIMIT)
		diag_error(&c->diag, program->loc, "the programs need %u bytes of scratch memory for big "
			   "values, more than the %u a per-CPU map value holds", c->env.scratch_used,
			   SCRATCH_LIMIT);
}

int eq_compile(const struct eq_compile_opts *opts, struct eq_image **out)
{
	struct compile c = {.opts = opts};
	c.diag = (struct eq_diag){.src = opts->src, .out = opts->diag_out};
	*out = NULL;
	/* A long script's stages fill megabytes: their arenas start in big
	 * chunks (bench/compiletime.sh's probe takes about 44 bytes of AST,
	 * 30 of IR instructions, 16 of the rest of the IR and 9 of image a
	 * byte of script); a short one's, small. */
	arena_expect(&c.ast_arena, 32 * opts->src->len);
	arena_expect(&c.ir_arena, 16 * opts->src->len);
	arena_expect(&c.insn_arena, 32 * opts->src->len);
	arena_expect(&c.scratch, 32 * opts->src->len);
	struct ast *program = parse_source(opts->src, &c.ast_arena, &c.diag);
	bool parsed = program && !c.diag.errors;
	c.info.nparams = opts->nparams;
	c.info.params = opts->params;
	c.info.target = &opts->target;
	c.info.ctypes = ctypes_new(&c.ast_arena, &c.diag, (struct ctypes_kernel){kernel_btf, &c});
	c.info.max_stack = opts->target.max_stack > 0 ? (uint32_t)opts->target.max_stack : 0;
	if (program && !c.diag.errors)
		ctypes_define(c.info.ctypes, program->a, opts->src->file);
	if (program && !c.diag.errors) {
		resolve_probes(&c, program);
		c.info.points = c.points;
	}
	if (program && !c.diag.errors)
		sema_check(program, &c.info, &c.ast_arena, &c.diag,
			   opts->strlen > 0 ? (uint32_t)opts->strlen : 64);
	/* -d ast: with the types sema found, as far as it got */
	if (parsed && (opts->dump & EQ_DUMP_AST))
		ast_print(opts->dump_out, program);
	if (program && !c.diag.errors) {
		struct arena img_arena = {0};
		arena_expect(&img_arena, 16 * opts->src->len);
		c.img = ARENA_NEW(&img_arena, struct eq_image);
		c.img->arena = img_arena;
		c.img->file = arena_strdup(&c.img->arena, opts->src->file);
		c.img->loop_bound = LOOP_BOUND;
		split_source_lines(c.img, opts->src);
		c.img->aot = opts->aot;
		c.img->uses_params = c.uses_params || c.info.reads_params;
		build_maps(&c);
		compile_probes(&c, program);
		if (c.core.count && !c.diag.errors)
			core_relocations(&c, program);
		/* The image's arena header was copied into the image before the
		 * image's own allocations; keep the live copy. */
	}
	probe_cache_free(&c.probe_cache);
	llvm_backend_free(c.llvm);
	if (c.info.kernel_symbols)
		symtab_free(c.info.kernel_symbols);
	arena_free(&c.ast_arena);
	arena_free(&c.ir_arena);
	arena_free(&c.insn_arena);
	arena_free(&c.scratch);
	if (c.diag.errors) {
		eq_image_free(c.img);
		return c.diag.errors;
	}
	*out = c.img;
	return 0;
}
