/* object_read.c - `ebpfq run FILE.o`: an object `--aot` wrote, back into
 * the eq_image the compiling run would have loaded.
 *
 * The programs' instructions come from their ELF sections, everything else
 * from the EQ_OBJECT_SECTION payload (common/eq_object.h); the writer is
 * compiler/object_write.c, whose image_put() fixes the order read here.
 *
 * The file is untrusted input.  Every read is bounded by what is left of
 * the payload, every count by the bytes it would take, every index into
 * another table checked against that table, and every offset the runtime
 * will read a record or a map value at checked against its size: a
 * truncated, corrupted or foreign file is an error message, never a crash.
 * The kernel's verifier judges the instructions themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "eq_object.h"
#include "rt_internal.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

struct reader {
	const unsigned char *p, *end;
	struct arena *arena;
	const char *path;
	FILE *err;
	bool failed;   /* the first problem was reported; the rest is skipped */
	Elf *elf;
	size_t size;   /* of the file */
};

static void bad(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct reader *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	va_list ap;
	va_start(ap, fmt);
	fprintf(r->err, "%s: error: ", r->path);
	vfprintf(r->err, fmt, ap);
	fputc('\n', r->err);
	va_end(ap);
}

static uint32_t get_u32(struct reader *r)
{
	if (r->failed || r->end - r->p < 4) {
		bad(r, "the " EQ_OBJECT_SECTION " section is truncated");
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

static bool get_bool(struct reader *r)
{
	uint32_t v = get_u32(r);
	if (v > 1)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a flag of %u)", v);
	return v == 1;
}

/* An enum value below `limit`. */
static uint32_t get_enum(struct reader *r, uint32_t limit, const char *what)
{
	uint32_t v = get_u32(r);
	if (v >= limit)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (%s %u)", what, v);
	return v >= limit ? 0 : v;
}

static const char *get_str(struct reader *r)
{
	uint32_t n = get_u32(r);
	if (n == 0 || r->failed)
		return NULL;
	if ((size_t)(r->end - r->p) < n - 1) {
		bad(r, "the " EQ_OBJECT_SECTION " section is truncated");
		return NULL;
	}
	if (memchr(r->p, 0, n - 1)) {
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a NUL inside a string)");
		return NULL;
	}
	char *s = arena_strndup(r->arena, (const char *)r->p, n - 1);
	r->p += n - 1;
	return s;
}

/* A string the runtime prints or opens: never NULL. */
static const char *get_text(struct reader *r)
{
	const char *s = get_str(r);
	return s ? s : "";
}

/* A count of elements that each take at least `min_bytes` of what is left:
 * a corrupt count cannot make the reader allocate more than the file holds. */
static uint32_t get_count(struct reader *r, size_t min_bytes)
{
	uint32_t n = get_u32(r);
	if (!r->failed && (size_t)n * min_bytes > (size_t)(r->end - r->p)) {
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a count of %u)", n);
		return 0;
	}
	return r->failed ? 0 : n;
}

static void *get_array(struct reader *r, uint32_t n, size_t elem)
{
	return arena_alloc(r->arena, elem * (n ? n : 1));
}

/* A script line: 0 (none), or one of the image's source lines, which the
 * runtime shows for a message. */
static uint32_t get_line(struct reader *r, const struct eq_image *img)
{
	uint32_t line = get_u32(r);
	if (!r->failed && line > (uint32_t)img->nsource_lines) {
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (line %u of %d)", line, img->nsource_lines);
		return 0;
	}
	return line;
}

/* ---- fields, maps, programs, outputs: image_put()'s order ----------------- */

static void get_field(struct reader *r, struct eq_field *f, int depth, uint32_t room)
{
	if (depth > EQ_OBJECT_MAX_DEPTH) {
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (fields nested too deep)");
		return;
	}
	f->kind = get_enum(r, EQ_FIELD_TEXT + 1, "a field kind");
	f->offset = get_u32(r);
	f->size = get_u32(r);
	f->is_signed = get_bool(r);
	f->nelems = (int)get_u32(r);
	f->name = get_str(r);
	f->bit_offset = (uint16_t)get_u32(r);
	f->bits = (uint8_t)get_u32(r);
	f->user = get_bool(r);
	f->stack_mode = (uint8_t)get_enum(r, EQ_STACK_PERF + 1, "a stack mode");
	f->frames = (uint16_t)get_u32(r);
	f->text = (uint8_t)get_enum(r, EQ_TEXT_BUF + 1, "a text kind");
	f->format = get_str(r);
	if (f->kind == EQ_FIELD_TEXT && f->text == EQ_TEXT_TIME && !f->format)
		f->format = "";
	/* the runtime reads size bytes at offset of a buffer of `room`; of a
	 * bit-field, the bytes up to its last bit (a u64 at most, shifted) */
	uint32_t bytes = f->bits ? ((uint32_t)f->bit_offset + f->bits + 7) / 8 : f->size;
	if (!r->failed && ((uint64_t)f->offset + (bytes > 8 && f->bits ? 8 : bytes) > room || f->nelems < 0 ||
			   (f->bits && (uint32_t)f->bit_offset + f->bits > 64)))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a field of %u bytes at %u, in %u)",
		    f->size, f->offset, room);
	/* symbolize.c reads a stack's frames into a buffer of 1024 */
	if (!r->failed && f->kind == EQ_FIELD_STACK && (f->frames < 1 || f->frames > EQ_OBJECT_MAX_FRAMES))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a stack of %u frames)", f->frames);
	uint32_t n = get_count(r, 13 * 4);
	bool want = f->kind == EQ_FIELD_TUPLE || f->kind == EQ_FIELD_RECORD || f->kind == EQ_FIELD_ARRAY;
	if (!r->failed && (want ? n != (f->kind == EQ_FIELD_ARRAY ? 1u : (uint32_t)f->nelems) : n != 0))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a field of %u elements)", n);
	if (f->kind == EQ_FIELD_ARRAY && !r->failed && (f->nelems < 1 || f->size % (uint32_t)f->nelems))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an array of %d elements)", f->nelems);
	f->elems = n ? get_array(r, n, sizeof(*f->elems)) : NULL;
	/* elements are at offsets from their field's (an array's: its element's
	 * size, one after another) */
	uint32_t sub_room = f->kind == EQ_FIELD_ARRAY && f->nelems > 0 ? f->size / (uint32_t)f->nelems : f->size;
	for (uint32_t i = 0; i < n && !r->failed; i++)
		get_field(r, &f->elems[i], depth + 1, sub_room);
	if (r->failed)
		f->nelems = 0, f->elems = NULL;
}

static void get_map(struct reader *r, struct eq_map *m)
{
	m->name = get_text(r);
	m->role = get_enum(r, EQ_MAP_PIDS + 1, "a map role");
	m->type = get_u32(r);
	m->key_size = get_u32(r);
	m->value_size = get_u32(r);
	m->max_entries = get_u32(r);
	m->flags = get_u32(r);
	uint32_t n = get_count(r, 13 * 4);
	m->nkey_fields = (int)n;
	m->key_fields = get_array(r, n, sizeof(*m->key_fields));
	for (uint32_t i = 0; i < n && !r->failed; i++)
		get_field(r, &m->key_fields[i], 0, m->key_size);
	m->value_kind = get_enum(r, EQ_VALUE_LHIST + 1, "a value kind");
	get_field(r, &m->value_field, 0, m->value_size);
	m->is_percpu = get_bool(r);
	m->has_key = get_bool(r);
	m->lhist_min = (int64_t)get_u64(r);
	m->lhist_max = (int64_t)get_u64(r);
	m->lhist_step = (int64_t)get_u64(r);
	/* the runtime sizes what a lookup writes by these: the kernel's by the map's type */
	bool percpu_type = m->type == BPF_MAP_TYPE_PERCPU_HASH || m->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
			   m->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	if (!r->failed && m->role == EQ_MAP_USER && m->is_percpu != percpu_type)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (map %s is per-CPU or not)", m->name);
	if (!r->failed && m->role == EQ_MAP_USER && m->has_key &&
	    (m->value_kind == EQ_VALUE_HIST || m->value_kind == EQ_VALUE_LHIST) && m->key_size < 8)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a histogram key of %u bytes)", m->key_size);
	if (!r->failed && m->role == EQ_MAP_USER && !m->has_key && m->key_size < 4)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a key of %u bytes)", m->key_size);
	if (!r->failed && m->role == EQ_MAP_STACKS &&
	    (m->value_size % 8 || m->value_size == 0 || m->value_size > 8 * EQ_OBJECT_MAX_FRAMES))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a stack map of %u bytes)", m->value_size);
	if (!r->failed && m->value_kind == EQ_VALUE_LHIST && m->lhist_step <= 0)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an lhist step of %lld)",
		    (long long)m->lhist_step);
	if (!r->failed && m->role == EQ_MAP_USER && m->value_kind >= EQ_VALUE_COUNT && m->value_size < 8)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an aggregation of %u bytes)", m->value_size);
}

/* Program p's instructions from ELF section `ndx`: one of ours, of their size. */
static void get_insns(struct reader *r, struct eq_prog *p, uint32_t ndx)
{
	Elf_Scn *scn = r->failed ? NULL : elf_getscn(r->elf, ndx);
	GElf_Shdr sh;
	Elf_Data *d = scn && gelf_getshdr(scn, &sh) && sh.sh_type == SHT_PROGBITS &&
		      (sh.sh_flags & SHF_EXECINSTR) ? elf_getdata(scn, NULL) : NULL;
	if (!r->failed && (!d || !p->ninsns || d->d_size != (size_t)p->ninsns * sizeof(struct bpf_insn) ||
			   !d->d_buf)) {
		bad(r, "program %s's instructions are not in section %u as its description says", p->name, ndx);
		return;
	}
	if (r->failed)
		return;
	p->insns = get_array(r, p->ninsns, sizeof(struct bpf_insn));
	memcpy(p->insns, d->d_buf, d->d_size);
}

static void get_prog(struct reader *r, struct eq_prog *p, const struct eq_image *img)
{
	uint32_t nmaps = (uint32_t)img->nmaps;
	p->name = get_text(r);
	p->probe_name = get_text(r);
	p->attach_note = get_text(r);
	p->prog_type = get_u32(r);
	p->attach = get_enum(r, EQ_ATTACH_WATCH_SETUP + 1, "an attach kind");
	p->target = get_text(r);
	p->target_offset = get_u64(r);
	p->ref_ctr_offset = get_u64(r);
	p->target_btf_id = get_u32(r);
	p->perf.type = get_u32(r);
	p->perf.config = get_u64(r);
	p->perf.period = get_u64(r);
	p->perf.freq = get_bool(r);
	p->perf.every_cpu = get_bool(r);
	p->watch.addr = get_u64(r);
	p->watch.len = get_u32(r);
	p->watch.type = get_u32(r);
	p->watch.per_process = get_bool(r);
	p->watch.async = get_bool(r);
	p->tail_map = get_u32(r);
	p->tail_key = get_u32(r);
	p->ctx_unused = get_bool(r);
	uint32_t section = get_u32(r);
	p->ninsns = get_u32(r);
	if (!r->failed && (p->ninsns == 0 || p->ninsns > 1000000))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a program of %u instructions)", p->ninsns);
	if ((p->attach == EQ_ATTACH_SYSCALL || p->attach == EQ_ATTACH_SYSCALL_DISPATCH) && !r->failed &&
	    p->tail_map >= nmaps)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's map %u)", p->name, p->tail_map);
	p->nfuncs = get_count(r, 4);
	p->func_starts = get_array(r, p->nfuncs, sizeof(uint32_t));
	for (uint32_t i = 0; i < p->nfuncs; i++)
		p->func_starts[i] = get_u32(r);
	p->nrefs = get_count(r, 16);
	p->refs = get_array(r, p->nrefs, sizeof(*p->refs));
	for (uint32_t i = 0; i < p->nrefs && !r->failed; i++) {
		struct eq_map_ref *ref = &p->refs[i];
		ref->insn_index = get_u32(r);
		ref->map_index = get_u32(r);
		ref->value = get_bool(r);
		ref->value_offset = get_u32(r);
		/* the runtime patches this ld_imm64's two halves */
		if (!r->failed && (ref->map_index >= nmaps || ref->insn_index >= p->ninsns - 1))
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's map reference %u)",
			    p->name, i);
	}
	for (uint32_t i = 0; i < p->nfuncs && !r->failed; i++)
		if (p->func_starts[i] >= p->ninsns || (i && p->func_starts[i] <= p->func_starts[i - 1]))
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's function %u)", p->name, i);
	p->nlines = get_count(r, 12);
	p->lines = get_array(r, p->nlines, sizeof(*p->lines));
	for (uint32_t i = 0; i < p->nlines && !r->failed; i++) {
		p->lines[i].insn_off = get_u32(r);
		p->lines[i].line = get_line(r, img);
		p->lines[i].col = get_u32(r);
		if (!r->failed && (p->lines[i].insn_off >= p->ninsns ||
				   (i && p->lines[i].insn_off < p->lines[i - 1].insn_off)))
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's line info)", p->name);
	}
	p->ncore_relos = get_count(r, 16);
	p->core_relos = get_array(r, p->ncore_relos, sizeof(*p->core_relos));
	for (uint32_t i = 0; i < p->ncore_relos && !r->failed; i++) {
		p->core_relos[i].insn_off = get_u32(r);
		p->core_relos[i].type_id = get_u32(r);
		p->core_relos[i].access_str_off = get_u32(r);
		p->core_relos[i].kind = get_u32(r);
		uint32_t kind = p->core_relos[i].kind;
		bool field_kind = kind == BPF_CORE_FIELD_BYTE_OFFSET || kind == BPF_CORE_FIELD_BYTE_SIZE ||
				  kind == BPF_CORE_FIELD_LSHIFT_U64 || kind == BPF_CORE_FIELD_RSHIFT_U64;
		if (!r->failed && (p->core_relos[i].insn_off >= p->ninsns || !field_kind))
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's CO-RE relocation %u)",
			    p->name, i);
	}
	p->line = get_line(r, img);
	p->col = get_u32(r);
	get_insns(r, p, section);
}

static void get_output(struct reader *r, struct eq_output *o, const struct eq_image *img)
{
	o->kind = get_enum(r, EQ_OUT_WATCH_PID + 1, "an output kind");
	o->fmt = get_str(r);
	o->nargs = (int)get_u32(r);
	uint32_t nargs = get_count(r, 5 * 4); /* a join's nargs counts slots: none */
	if (!r->failed && (o->nargs < 0 || o->nargs > 65536 || (nargs && nargs != (uint32_t)o->nargs)))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (%d arguments)", o->nargs);
	o->args = nargs ? get_array(r, nargs, sizeof(*o->args)) : NULL;
	for (uint32_t i = 0; i < nargs && !r->failed; i++) {
		struct eq_arg *a = &o->args[i];
		a->kind = get_enum(r, EQ_ARG_FIELD + 1, "an argument kind");
		a->offset = get_u32(r);
		a->size = get_u32(r);
		a->is_signed = get_bool(r);
		a->text = get_str(r);
		if (a->kind == EQ_ARG_CONST && !a->text)
			a->text = "";
		get_field(r, &a->field, 0, UINT32_MAX);
	}
	o->record_size = get_u32(r);
	o->map_index = get_u32(r);
	o->top = get_u32(r);
	o->div = get_u32(r);
	o->nprogs = (int)get_count(r, 4);
	o->progs = get_array(r, (uint32_t)o->nprogs, sizeof(uint32_t));
	for (int i = 0; i < o->nprogs; i++)
		o->progs[i] = get_u32(r);
	o->stopped = get_bool(r);
	get_field(r, &o->value, 0, UINT32_MAX);
	o->line = get_line(r, img);
	o->col = get_u32(r);
	if (r->failed)
		return;
	/* what the runtime reads of a record must be in it */
	if (o->record_size < 8 || o->record_size > (1u << 20))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a record of %u bytes)", o->record_size);
	for (uint32_t i = 0; i < nargs && !r->failed; i++) {
		const struct eq_arg *a = &o->args[i];
		uint32_t size = a->kind == EQ_ARG_FIELD ? a->field.size : a->kind == EQ_ARG_CONST ? 0 : a->size;
		if ((uint64_t)a->offset + size > o->record_size || (a->kind == EQ_ARG_INT && size > 8))
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an argument of %u bytes at %u)",
			    size, a->offset);
	}
	if (!r->failed && o->kind == EQ_OUT_PRINT_VALUE && 8ull + o->value.offset + o->value.size > o->record_size)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a value of %u bytes)", o->value.size);
	bool on_map = o->kind == EQ_OUT_PRINT_MAP || o->kind == EQ_OUT_PRINT_ENTRY || o->kind == EQ_OUT_CLEAR_MAP ||
		      o->kind == EQ_OUT_ZERO_MAP || o->kind == EQ_OUT_DELETE_ENTRY;
	if (!r->failed && on_map && (o->map_index >= (uint32_t)img->nmaps ||
				     img->maps[o->map_index].role != EQ_MAP_USER))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an output's map %u)", o->map_index);
	/* a histogram's key comes without its bucket, the last u64 */
	const struct eq_map *m = on_map && !r->failed ? &img->maps[o->map_index] : NULL;
	bool hist = m && (m->value_kind == EQ_VALUE_HIST || m->value_kind == EQ_VALUE_LHIST);
	bool entry = o->kind == EQ_OUT_PRINT_ENTRY || o->kind == EQ_OUT_DELETE_ENTRY;
	if (m && entry && (hist || o->kind == EQ_OUT_DELETE_ENTRY) && m->key_size < 8)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a histogram key of %u bytes)", m->key_size);
	if (!r->failed && entry && (uint64_t)m->key_size - (hist ? 8 : 0) + 8 > o->record_size)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a key beyond its record)");
	if (!r->failed && o->kind == EQ_OUT_JOIN && (o->nargs < 1 || o->record_size < 16))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a join of %d strings)", o->nargs);
	if (!r->failed && (o->kind == EQ_OUT_WATCH) && 8ull + 8ull * (uint64_t)(o->nprogs + 1) > o->record_size)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (a watch record of %u bytes)", o->record_size);
	for (int i = 0; i < o->nprogs && !r->failed; i++)
		if (o->progs[i] >= (uint32_t)img->nprogs)
			bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (an output's program %u)", o->progs[i]);
	if (!r->failed && !o->fmt && (o->kind == EQ_OUT_PRINTF || o->kind == EQ_OUT_SYSTEM ||
				      o->kind == EQ_OUT_CAT || o->kind == EQ_OUT_TIME || o->kind == EQ_OUT_JOIN ||
				      o->kind == EQ_OUT_HELPER_ERROR))
		o->fmt = "";
}

/* A map index, or -1 for none (written as UINT32_MAX); checked once the maps are read. */
static int get_map_index(struct reader *r)
{
	uint32_t v = get_u32(r);
	if (v != UINT32_MAX && v > INT32_MAX)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (map %u)", v);
	return v == UINT32_MAX || v > INT32_MAX ? -1 : (int)v;
}

/* The types CO-RE relocations name: BTF that libbpf must parse, holding
 * every type and access string a relocation names.  (The kernel checks
 * the relocations themselves against it when it loads the programs.) */
static void get_core_btf(struct reader *r, struct eq_image *img)
{
	uint32_t size = get_count(r, 1);
	if (r->failed || !size)
		return;
	img->core_btf = arena_alloc(r->arena, size);
	memcpy(img->core_btf, r->p, size);
	img->core_btf_size = size;
	r->p += size;
	struct btf *btf = btf__new(img->core_btf, size);
	if (!btf) {
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (the BTF of its CO-RE relocations)");
		return;
	}
	for (int i = 0; i < img->nprogs && !r->failed; i++)
		for (uint32_t k = 0; k < img->progs[i].ncore_relos && !r->failed; k++) {
			const struct eq_core_relo *c = &img->progs[i].core_relos[k];
			const char *access = btf__str_by_offset(btf, c->access_str_off);
			if (!c->type_id || c->type_id >= btf__type_cnt(btf) || !access || !*access)
				bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (program %s's CO-RE "
				    "relocation %u)", img->progs[i].name, k);
		}
	btf__free(btf);
}

static void get_image(struct reader *r, struct eq_image *img, struct rt_object_params *params)
{
	img->file = get_text(r);
	img->nsource_lines = (int)get_count(r, 4);
	img->source_lines = get_array(r, (uint32_t)img->nsource_lines, sizeof(char *));
	for (int i = 0; i < img->nsource_lines; i++)
		img->source_lines[i] = get_text(r);
	img->loop_bound = get_u32(r);
	img->lines_by_thread = get_bool(r);
	img->aot = get_bool(r);
	img->ringbuf_map = get_map_index(r);
	img->drops_map = get_map_index(r);
	params->uses = get_bool(r);
	params->n = (int)get_count(r, 4);
	params->values = get_array(r, (uint32_t)params->n, sizeof(char *));
	for (int i = 0; i < params->n; i++)
		params->values[i] = get_text(r);
	img->nmaps = (int)get_count(r, 20 * 4);
	img->maps = get_array(r, (uint32_t)img->nmaps, sizeof(*img->maps));
	for (int i = 0; i < img->nmaps && !r->failed; i++)
		get_map(r, &img->maps[i]);
	if (!r->failed && ((img->ringbuf_map >= 0 && (img->ringbuf_map >= img->nmaps ||
						       img->maps[img->ringbuf_map].role != EQ_MAP_RINGBUF)) ||
			   (img->drops_map >= 0 && (img->drops_map >= img->nmaps ||
					  img->maps[img->drops_map].role != EQ_MAP_DROPS ||
					  img->maps[img->drops_map].value_size != 8 * EQ_DATA_WORDS))))
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (its event or data map)");
	img->nprogs = (int)get_count(r, 30 * 4);
	img->progs = get_array(r, (uint32_t)img->nprogs, sizeof(*img->progs));
	for (int i = 0; i < img->nprogs && !r->failed; i++)
		get_prog(r, &img->progs[i], img);
	img->noutputs = (int)get_count(r, 12 * 4);
	img->outputs = get_array(r, (uint32_t)img->noutputs, sizeof(*img->outputs));
	for (int i = 0; i < img->noutputs && !r->failed; i++)
		get_output(r, &img->outputs[i], img);
	get_core_btf(r, img);
	if (!r->failed && r->p != r->end)
		bad(r, "the " EQ_OBJECT_SECTION " section is corrupt (%zu bytes after its end)",
		    (size_t)(r->end - r->p));
	if (!r->failed && !img->aot)
		bad(r, "the " EQ_OBJECT_SECTION " section describes an image not compiled ahead of time");
}

/* ---- the ELF file ------------------------------------------------------------- */

/* The payload section's bytes, after its header is checked. */
static const unsigned char *find_payload(struct reader *r, size_t *len)
{
	size_t shstrndx;
	GElf_Ehdr eh;
	if (elf_kind(r->elf) != ELF_K_ELF || !gelf_getehdr(r->elf, &eh)) {
		bad(r, "not an ELF file");
		return NULL;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_BPF) {
		bad(r, "not a BPF object (an ELF file for another machine)");
		return NULL;
	}
	if (elf_getshdrstrndx(r->elf, &shstrndx)) {
		bad(r, "a corrupt ELF file: %s", elf_errmsg(-1));
		return NULL;
	}
	/* libelf reads what a truncated file lacks as missing, not as an error */
	size_t shnum = 0;
	if (elf_getshdrnum(r->elf, &shnum) || shnum < eh.e_shnum)
		shnum = eh.e_shnum; /* libelf counts none in a table cut short */
	if (eh.e_shoff > r->size || (uint64_t)shnum * eh.e_shentsize > r->size - eh.e_shoff) {
		bad(r, "the file is truncated (%zu bytes)", r->size);
		return NULL;
	}
	for (Elf_Scn *scn = elf_nextscn(r->elf, NULL); scn; scn = elf_nextscn(r->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_NOBITS &&
						(sh.sh_offset > r->size || sh.sh_size > r->size - sh.sh_offset))) {
			bad(r, "the file is truncated (%zu bytes)", r->size);
			return NULL;
		}
	}
	for (Elf_Scn *scn = elf_nextscn(r->elf, NULL); scn; scn = elf_nextscn(r->elf, scn)) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(r->elf, shstrndx, sh.sh_name) : NULL;
		if (!name || strcmp(name, EQ_OBJECT_SECTION))
			continue;
		Elf_Data *d = sh.sh_type == SHT_PROGBITS ? elf_getdata(scn, NULL) : NULL;
		if (!d || !d->d_buf || d->d_size < EQ_OBJECT_HEADER_LEN) {
			bad(r, "the " EQ_OBJECT_SECTION " section is truncated");
			return NULL;
		}
		const unsigned char *p = d->d_buf;
		if (memcmp(p, EQ_OBJECT_MAGIC, EQ_OBJECT_MAGIC_LEN)) {
			bad(r, "the " EQ_OBJECT_SECTION " section is not ebpfq's (no magic)");
			return NULL;
		}
		uint32_t version = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
		uint32_t plen = (uint32_t)p[12] | (uint32_t)p[13] << 8 | (uint32_t)p[14] << 16 | (uint32_t)p[15] << 24;
		if (version != EQ_OBJECT_VERSION) {
			bad(r, "written in object format version %u; this ebpfq reads version %u: compile the "
			       "script again with --aot", version, EQ_OBJECT_VERSION);
			return NULL;
		}
		if (plen != d->d_size - EQ_OBJECT_HEADER_LEN) {
			bad(r, "the " EQ_OBJECT_SECTION " section is truncated");
			return NULL;
		}
		*len = plen;
		return p + EQ_OBJECT_HEADER_LEN;
	}
	bad(r, "a BPF object without an " EQ_OBJECT_SECTION " section: not written by `ebpfq --aot`");
	return NULL;
}

int rt_object_read(const char *path, FILE *err, struct eq_image **out, struct rt_object_params *params)
{
	*out = NULL;
	struct reader r = {.path = path, .err = err};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(err, "%s: error: cannot read it: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(err, "%s: error: not a regular file\n", path);
		close(fd);
		return -1;
	}
	r.size = (size_t)st.st_size;
	if (elf_version(EV_CURRENT) == EV_NONE || !(r.elf = elf_begin(fd, ELF_C_READ, NULL))) {
		fprintf(err, "%s: error: not an ELF file\n", path);
		close(fd);
		return -1;
	}
	struct arena arena = {0};
	struct eq_image *img = ARENA_NEW(&arena, struct eq_image);
	memset(img, 0, sizeof(*img));
	r.arena = &arena;
	memset(params, 0, sizeof(*params));
	size_t len = 0;
	r.p = find_payload(&r, &len);
	r.end = r.p ? r.p + len : NULL;
	if (!r.failed)
		get_image(&r, img, params);
	elf_end(r.elf);
	close(fd);
	if (r.failed) {
		memset(params, 0, sizeof(*params));
		arena_free(&arena);
		return -1;
	}
	img->arena = arena; /* the image lives in its arena (eq_image_free) */
	*out = img;
	return 0;
}
