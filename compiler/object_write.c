/* object_write.c - `--aot FILE.o`: the image as a standard BPF ELF object.
 *
 * The kernel's part is written the way clang and libbpf lay it out, so that
 * libbpf (bpf_object__open_file), bpftool, readelf and llvm-objdump read it:
 * one executable section per program under a section name libbpf knows
 * ("tracepoint/sched/sched_switch", "uprobe", "perf_event", "raw_tp"), a
 * global FUNC symbol at its start, the maps as BTF-defined map structs in
 * .maps with a symbol each, every map reference a R_BPF_64_64 relocation of
 * its ld_imm64 against the map's symbol, .BTF (the maps, a FUNC per program,
 * the script's lines) and .BTF.ext (func and line info).  Everything else the
 * runtime needs goes in the EQ_OBJECT_SECTION section (common/eq_object.h),
 * which runtime/object_read.c reads back into an eq_image.
 *
 * This file is the compiler's side: it reads only the image, calls no bpf()
 * and pulls nothing of the runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "compiler.h"
#include "eq_object.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif

/* ---- the payload: a growing little-endian byte buffer ---------------------- */

struct buf {
	unsigned char *data;
	size_t len, cap;
	bool failed; /* out of memory: the write reports it once, at the end */
};

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	if (b->failed || !n)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char le[4] = {v, v >> 8, v >> 16, v >> 24};
	put_bytes(b, le, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(struct buf *b, const char *s)
{
	if (!s) {
		put_u32(b, 0);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n + 1);
	put_bytes(b, s, n);
}

/* How many of a field's elems the array holds (ARRAY: one, the element). */
static uint32_t field_subs(const struct eq_field *f)
{
	if (!f->elems)
		return 0;
	return f->kind == EQ_FIELD_ARRAY ? 1 : (uint32_t)f->nelems;
}

static void field_put(struct buf *b, const struct eq_field *f)
{
	put_u32(b, f->kind);
	put_u32(b, f->offset);
	put_u32(b, f->size);
	put_u32(b, f->is_signed);
	put_u32(b, (uint32_t)f->nelems);
	put_str(b, f->name);
	put_u32(b, f->bit_offset);
	put_u32(b, f->bits);
	put_u32(b, f->user);
	put_u32(b, f->stack_mode);
	put_u32(b, f->frames);
	put_u32(b, f->text);
	put_str(b, f->format);
	uint32_t n = field_subs(f);
	put_u32(b, n);
	for (uint32_t i = 0; i < n; i++)
		field_put(b, &f->elems[i]);
}

static void map_put(struct buf *b, const struct eq_map *m)
{
	put_str(b, m->name);
	put_u32(b, m->role);
	put_u32(b, m->type);
	put_u32(b, m->key_size);
	put_u32(b, m->value_size);
	put_u32(b, m->max_entries);
	put_u32(b, m->flags);
	put_u32(b, (uint32_t)m->nkey_fields);
	for (int i = 0; i < m->nkey_fields; i++)
		field_put(b, &m->key_fields[i]);
	put_u32(b, m->value_kind);
	field_put(b, &m->value_field);
	put_u32(b, m->is_percpu);
	put_u32(b, m->has_key);
	put_u64(b, (uint64_t)m->lhist_min);
	put_u64(b, (uint64_t)m->lhist_max);
	put_u64(b, (uint64_t)m->lhist_step);
}

/* The program's instructions are in ELF section `section`, not here. */
static void prog_put(struct buf *b, const struct eq_prog *p, uint32_t section)
{
	put_str(b, p->name);
	put_str(b, p->probe_name);
	put_str(b, p->attach_note);
	put_u32(b, p->prog_type);
	put_u32(b, p->attach);
	put_str(b, p->target);
	put_u64(b, p->target_offset);
	put_u64(b, p->ref_ctr_offset);
	put_u32(b, p->target_btf_id);
	put_u32(b, p->perf.type);
	put_u64(b, p->perf.config);
	put_u64(b, p->perf.period);
	put_u32(b, p->perf.freq);
	put_u32(b, p->perf.every_cpu);
	put_u64(b, p->watch.addr);
	put_u32(b, p->watch.len);
	put_u32(b, p->watch.type);
	put_u32(b, p->watch.per_process);
	put_u32(b, p->watch.async);
	put_u32(b, p->tail_map);
	put_u32(b, p->tail_key);
	put_u32(b, p->ctx_unused);
	put_u32(b, section);
	put_u32(b, p->ninsns);
	put_u32(b, p->nfuncs);
	for (uint32_t i = 0; i < p->nfuncs; i++)
		put_u32(b, p->func_starts[i]);
	put_u32(b, p->nrefs);
	for (uint32_t i = 0; i < p->nrefs; i++) {
		put_u32(b, p->refs[i].insn_index);
		put_u32(b, p->refs[i].map_index);
		put_u32(b, p->refs[i].value);
		put_u32(b, p->refs[i].value_offset);
	}
	put_u32(b, p->nlines);
	for (uint32_t i = 0; i < p->nlines; i++) {
		put_u32(b, p->lines[i].insn_off);
		put_u32(b, p->lines[i].line);
		put_u32(b, p->lines[i].col);
	}
	put_u32(b, p->ncore_relos);
	for (uint32_t i = 0; i < p->ncore_relos; i++) {
		put_u32(b, p->core_relos[i].insn_off);
		put_u32(b, p->core_relos[i].type_id);
		put_u32(b, p->core_relos[i].access_str_off);
		put_u32(b, p->core_relos[i].kind);
	}
	put_u32(b, p->line);
	put_u32(b, p->col);
}

static void output_put(struct buf *b, const struct eq_output *o)
{
	put_u32(b, o->kind);
	put_str(b, o->fmt);
	put_u32(b, (uint32_t)o->nargs);
	/* a join's nargs counts string slots, and it has no args */
	uint32_t nargs = o->args ? (uint32_t)o->nargs : 0;
	put_u32(b, nargs);
	for (uint32_t i = 0; i < nargs; i++) {
		const struct eq_arg *a = &o->args[i];
		put_u32(b, a->kind);
		put_u32(b, a->offset);
		put_u32(b, a->size);
		put_u32(b, a->is_signed);
		put_str(b, a->text);
		field_put(b, &a->field);
	}
	put_u32(b, o->record_size);
	put_u32(b, o->map_index);
	put_u32(b, o->top);
	put_u32(b, o->div);
	put_u32(b, (uint32_t)o->nprogs);
	for (int i = 0; i < o->nprogs; i++)
		put_u32(b, o->progs[i]);
	put_u32(b, o->stopped);
	field_put(b, &o->value);
	put_u32(b, o->line);
	put_u32(b, o->col);
}

/* The whole payload; prog_sections[i] is program i's ELF section. */
static void image_put(struct buf *b, const struct eq_image *img, const uint32_t *prog_sections,
		      int nparams, const char *const *params)
{
	put_str(b, img->file);
	put_u32(b, (uint32_t)img->nsource_lines);
	for (int i = 0; i < img->nsource_lines; i++)
		put_str(b, img->source_lines[i]);
	put_u32(b, img->loop_bound);
	put_u32(b, img->lines_by_thread);
	put_u32(b, img->aot);
	put_u32(b, img->ringbuf_map < 0 ? UINT32_MAX : (uint32_t)img->ringbuf_map);
	put_u32(b, img->drops_map < 0 ? UINT32_MAX : (uint32_t)img->drops_map);
	/* the arguments $1.. and $# were folded in with: `run` compares */
	put_u32(b, img->uses_params);
	put_u32(b, img->uses_params ? (uint32_t)nparams : 0);
	for (int i = 0; img->uses_params && i < nparams; i++)
		put_str(b, params[i]);
	put_u32(b, (uint32_t)img->nmaps);
	for (int i = 0; i < img->nmaps; i++)
		map_put(b, &img->maps[i]);
	put_u32(b, (uint32_t)img->nprogs);
	for (int i = 0; i < img->nprogs; i++)
		prog_put(b, &img->progs[i], prog_sections[i]);
	put_u32(b, (uint32_t)img->noutputs);
	for (int i = 0; i < img->noutputs; i++)
		output_put(b, &img->outputs[i]);
	/* the types the CO-RE relocations name (also at the start of .BTF) */
	put_u32(b, img->core_btf_size);
	put_bytes(b, img->core_btf, img->core_btf_size);
}

/* ---- names ------------------------------------------------------------------ */

/* The section libbpf knows a program of this kind by (its SEC() names). */
static char *section_name(const struct eq_prog *p)
{
	const char *prefix = NULL, *whole = NULL; /* prefix + target, or whole */
	switch (p->attach) {
	case EQ_ATTACH_TRACEPOINT:
	case EQ_ATTACH_SYSCALL: prefix = "tracepoint/"; break; /* CAT:NAME becomes CAT/NAME */
	case EQ_ATTACH_RAW_TRACEPOINT:
	case EQ_ATTACH_SYSCALL_DISPATCH: prefix = "raw_tp/"; break;
	case EQ_ATTACH_KPROBE: prefix = "kprobe/"; break;
	case EQ_ATTACH_KRETPROBE: prefix = "kretprobe/"; break;
	case EQ_ATTACH_FENTRY: prefix = "fentry/"; break;
	case EQ_ATTACH_FEXIT: prefix = "fexit/"; break;
	case EQ_ATTACH_UPROBE:
	case EQ_ATTACH_WATCH_SETUP: whole = "uprobe"; break;
	case EQ_ATTACH_URETPROBE: whole = "uretprobe"; break;
	case EQ_ATTACH_PERF_EVENT:
	case EQ_ATTACH_WATCHPOINT: whole = "perf_event"; break;
	case EQ_ATTACH_BEGIN:
	case EQ_ATTACH_END: whole = "raw_tp"; break; /* run by the runtime (test_run) */
	}
	char *s;
	if (!prefix)
		return strdup(whole ? whole : "raw_tp");
	if (asprintf(&s, "%s%s", prefix, p->target) < 0)
		return NULL;
	if (p->attach == EQ_ATTACH_TRACEPOINT || p->attach == EQ_ATTACH_SYSCALL) {
		char *colon = strchr(s, ':');
		if (colon)
			*colon = '/';
	}
	return s;
}

/* A map's symbol: a C identifier ("@forks" is m_forks). */
static void symbol_base(const char *name, char *s)
{
	size_t n = 0;
	if (*name == '@') {
		s[n++] = 'm';
		s[n++] = '_';
		name++;
	}
	for (; *name; name++)
		s[n++] = (*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
			 (*name >= '0' && *name <= '9') ? *name : '_';
	s[n] = 0;
}

/* ... unique in the object: "@a.b" and "@a_b" are told apart by index. */
static char *map_symbol(const struct eq_image *img, int index)
{
	size_t len = strlen(img->maps[index].name);
	char *s = malloc(len + 16), *other = malloc(len + 16);
	if (!s || !other) {
		free(s);
		free(other);
		return NULL;
	}
	symbol_base(img->maps[index].name, s);
	for (int j = 0; j < index; j++) {
		if (strlen(img->maps[j].name) != len)
			continue;
		symbol_base(img->maps[j].name, other);
		if (!strcmp(s, other)) {
			snprintf(s + strlen(s), 16, "_%d", index);
			break;
		}
	}
	free(other);
	return s;
}

/* ---- BTF: the maps, a FUNC per program, the lines ------------------------ */

struct obj {
	const struct eq_image *img;
	struct btf *btf;
	int int_id;
	char **map_syms;
	char **sec_names;
	uint32_t *map_offsets; /* each map's struct in .maps */
	uint32_t *map_sizes;   /* its size there; 0: not there (the .bss map) */
	uint32_t maps_size;
	int bss_map;           /* the data map, as a global-data section: -1 if none */
	int *func_ids;
	int callback_id;
	int file_off;
	struct buf ext;        /* .BTF.ext */
};

/* `int (*name)[value]`: how a BTF-defined map says a number. */
static int btf_number(struct obj *o, uint32_t value, uint32_t *off)
{
	int arr = btf__add_array(o->btf, o->int_id, o->int_id, value);
	int ptr = arr < 0 ? arr : btf__add_ptr(o->btf, arr);
	return ptr < 0 ? ptr : (*off += 64, ptr);
}

static int btf_map(struct obj *o, int i)
{
	const struct eq_map *m = &o->img->maps[i];
	if (i == o->bss_map) { /* int ebpfq_data[value_size / 4] in .bss */
		int arr = btf__add_array(o->btf, o->int_id, o->int_id, m->value_size / 4);
		return arr < 0 ? arr : btf__add_var(o->btf, o->map_syms[i], BTF_VAR_GLOBAL_ALLOCATED, arr);
	}
	bool sizes = m->type != BPF_MAP_TYPE_RINGBUF;
	/* the member types first: BTF's struct members follow the struct */
	struct { const char *name; uint32_t value; int type; } mem[5] = {
		{"type", m->type, 0}, {"max_entries", m->max_entries, 0}, {"map_flags", m->flags, 0},
		{"key_size", m->key_size, 0}, {"value_size", m->value_size, 0}};
	int nmem = sizes ? 5 : 3;
	uint32_t bits = 0;
	for (int k = 0; k < nmem; k++) {
		mem[k].type = btf_number(o, mem[k].value, &bits);
		if (mem[k].type < 0)
			return mem[k].type;
	}
	int st = btf__add_struct(o->btf, NULL, bits / 8);
	for (int k = 0; st >= 0 && k < nmem; k++)
		if (btf__add_field(o->btf, mem[k].name, mem[k].type, (uint32_t)k * 64, 0) < 0)
			return -ENOMEM;
	int var = st < 0 ? st : btf__add_var(o->btf, o->map_syms[i], BTF_VAR_GLOBAL_ALLOCATED, st);
	o->map_offsets[i] = o->maps_size;
	o->map_sizes[i] = bits / 8;
	o->maps_size += bits / 8;
	return var;
}

static int btf_build(struct obj *o)
{
	const struct eq_image *img = o->img;
	/* the kernel structs CO-RE relocations name first, keeping their ids */
	o->btf = img->core_btf ? btf__new(img->core_btf, img->core_btf_size) : btf__new_empty();
	if (!o->btf)
		return -ENOMEM;
	o->int_id = btf__add_int(o->btf, "int", 4, BTF_INT_SIGNED);
	int ptr_id = btf__add_ptr(o->btf, 0);
	int *vars = calloc((size_t)img->nmaps + 1, sizeof(int));
	o->func_ids = calloc((size_t)img->nprogs + 1, sizeof(int));
	if (o->int_id < 0 || ptr_id < 0 || !vars || !o->func_ids) {
		free(vars);
		return -ENOMEM;
	}
	for (int i = 0; i < img->nmaps; i++)
		if ((vars[i] = btf_map(o, i)) < 0) {
			int rc = vars[i];
			free(vars);
			return rc;
		}
	int sec = btf__add_datasec(o->btf, ".maps", o->maps_size);
	for (int i = 0; sec >= 0 && i < img->nmaps; i++)
		if (i != o->bss_map &&
		    btf__add_datasec_var_info(o->btf, vars[i], o->map_offsets[i], o->map_sizes[i]) < 0)
			sec = -ENOMEM;
	if (sec >= 0 && o->bss_map >= 0) {
		uint32_t size = img->maps[o->bss_map].value_size;
		sec = btf__add_datasec(o->btf, ".bss", size);
		if (sec >= 0 && btf__add_datasec_var_info(o->btf, vars[o->bss_map], 0, size) < 0)
			sec = -ENOMEM;
	}
	free(vars);
	if (sec < 0)
		return sec;
	for (int i = 0; i < img->nprogs; i++) {
		int proto = btf__add_func_proto(o->btf, o->int_id);
		if (proto < 0 || btf__add_func_param(o->btf, "ctx", ptr_id) < 0)
			return -ENOMEM;
		o->func_ids[i] = btf__add_func(o->btf, img->progs[i].name, BTF_FUNC_GLOBAL, proto);
		if (o->func_ids[i] < 0)
			return o->func_ids[i];
	}
	int proto = btf__add_func_proto(o->btf, o->int_id);
	if (proto < 0 || btf__add_func_param(o->btf, "map", ptr_id) < 0)
		return -ENOMEM;
	o->callback_id = btf__add_func(o->btf, "ebpfq_callback", BTF_FUNC_STATIC, proto);
	o->file_off = btf__add_str(o->btf, img->file);
	return o->callback_id < 0 || o->file_off < 0 ? -ENOMEM : 0;
}

/* .BTF.ext: func info then line info, per program section; offsets in
 * bytes, as in an object file (the kernel's are in instructions). */
static int btf_ext_build(struct obj *o)
{
	const struct eq_image *img = o->img;
	struct buf func = {0}, line = {0}, core = {0};
	put_u32(&func, 8);
	put_u32(&line, 16);
	put_u32(&core, 16);
	for (int i = 0; i < img->nprogs; i++) {
		const struct eq_prog *p = &img->progs[i];
		int sec = btf__add_str(o->btf, o->sec_names[i]);
		if (sec < 0)
			return -ENOMEM;
		put_u32(&func, (uint32_t)sec);
		put_u32(&func, p->nfuncs + 1);
		put_u32(&func, 0);
		put_u32(&func, (uint32_t)o->func_ids[i]);
		for (uint32_t f = 0; f < p->nfuncs; f++) {
			put_u32(&func, p->func_starts[f] * 8);
			put_u32(&func, (uint32_t)o->callback_id);
		}
		put_u32(&line, (uint32_t)sec);
		put_u32(&line, p->nlines);
		for (uint32_t l = 0; l < p->nlines; l++) {
			const struct eq_line *li = &p->lines[l];
			const char *text = li->line >= 1 && (int)li->line <= img->nsource_lines
					 ? img->source_lines[li->line - 1] : "";
			int off = btf__add_str(o->btf, text);
			put_u32(&line, li->insn_off * 8);
			put_u32(&line, (uint32_t)o->file_off);
			put_u32(&line, off < 0 ? 0 : (uint32_t)off);
			put_u32(&line, li->line << 10 | (li->col & 0x3ff));
		}
		if (!p->ncore_relos)
			continue;
		put_u32(&core, (uint32_t)sec);
		put_u32(&core, p->ncore_relos);
		for (uint32_t r = 0; r < p->ncore_relos; r++) {
			put_u32(&core, p->core_relos[r].insn_off * 8);
			put_u32(&core, p->core_relos[r].type_id);
			put_u32(&core, p->core_relos[r].access_str_off);
			put_u32(&core, p->core_relos[r].kind);
		}
	}
	/* struct btf_ext_header of version 1, with CO-RE relocations (32
	 * bytes) if there are any */
	bool relocates = o->img->core_btf != NULL;
	unsigned char hdr[8] = {0x9f, 0xeb, 1, 0, relocates ? 32 : 24, 0, 0, 0};
	put_bytes(&o->ext, hdr, sizeof(hdr));
	put_u32(&o->ext, 0);                  /* func_info_off, after the header */
	put_u32(&o->ext, (uint32_t)func.len); /* func_info_len */
	put_u32(&o->ext, (uint32_t)func.len); /* line_info_off */
	put_u32(&o->ext, (uint32_t)line.len); /* line_info_len */
	if (relocates) {
		put_u32(&o->ext, (uint32_t)(func.len + line.len)); /* core_relo_off */
		put_u32(&o->ext, (uint32_t)core.len);              /* core_relo_len */
	}
	put_bytes(&o->ext, func.data, func.len);
	put_bytes(&o->ext, line.data, line.len);
	if (relocates)
		put_bytes(&o->ext, core.data, core.len);
	bool failed = func.failed || line.failed || core.failed || o->ext.failed;
	free(func.data);
	free(line.data);
	free(core.data);
	return failed ? -ENOMEM : 0;
}

/* ---- ELF ---------------------------------------------------------------------- */

struct strtab {
	struct buf b;
};

static uint32_t strtab_add(struct strtab *t, const char *s)
{
	uint32_t off = (uint32_t)t->b.len;
	put_bytes(&t->b, s, strlen(s) + 1);
	return off;
}

static Elf_Scn *new_section(Elf *elf, uint32_t name, uint32_t type, uint64_t flags, void *data,
			    size_t size, size_t align)
{
	Elf_Scn *scn = elf_newscn(elf);
	Elf_Data *d = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr sh;
	if (!d || !gelf_getshdr(scn, &sh))
		return NULL;
	d->d_buf = data;
	d->d_size = size;
	d->d_align = align;
	d->d_type = ELF_T_BYTE;
	sh.sh_name = name;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align;
	if (!gelf_update_shdr(scn, &sh))
		return NULL;
	return scn;
}

static bool set_link(Elf_Scn *scn, uint32_t link, uint32_t info, uint64_t entsize)
{
	GElf_Shdr sh;
	if (!gelf_getshdr(scn, &sh))
		return false;
	sh.sh_link = link;
	sh.sh_info = info;
	sh.sh_entsize = entsize;
	return gelf_update_shdr(scn, &sh) != 0;
}

/* Everything the ELF file points into: kept until elf_update has written it. */
struct elf_parts {
	struct strtab shstr, str;
	struct bpf_insn **insns;
	Elf64_Rel **rels;
	Elf64_Sym *syms;
	unsigned char *maps;
	struct buf payload;
};

static int elf_write(struct obj *o, int fd, struct elf_parts *e, int nparams, const char *const *params)
{
	const struct eq_image *img = o->img;
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!elf)
		return -1;
	int rc = -1;
	GElf_Ehdr eh;
	if (!gelf_newehdr(elf, ELFCLASS64) || !gelf_getehdr(elf, &eh))
		goto out;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	strtab_add(&e->shstr, "");
	strtab_add(&e->str, "");
	/* section indexes: 1.. programs, then license, .maps, .BTF, .BTF.ext,
	 * the payload, the relocations, .symtab, .strtab, .shstrtab */
	int np = img->nprogs;
	uint32_t *prog_sec = calloc((size_t)np + 1, sizeof(uint32_t));
	e->insns = calloc((size_t)np + 1, sizeof(*e->insns));
	e->rels = calloc((size_t)np + 1, sizeof(*e->rels));
	size_t nsyms = 1 + (size_t)np + (size_t)img->nmaps;
	e->syms = calloc(nsyms, sizeof(Elf64_Sym));
	if (!prog_sec || !e->insns || !e->rels || !e->syms)
		goto out_free;
	Elf_Scn **prog_scn = calloc((size_t)np + 1, sizeof(Elf_Scn *));
	if (!prog_scn)
		goto out_free;
	for (int i = 0; i < np; i++) {
		const struct eq_prog *p = &img->progs[i];
		e->insns[i] = malloc(sizeof(struct bpf_insn) * (p->ninsns + 1));
		if (!e->insns[i])
			goto out_scn;
		memcpy(e->insns[i], p->insns, sizeof(struct bpf_insn) * p->ninsns);
		/* a relocated ld_imm64 holds 0, or its offset into a global-data
		 * section: the loader puts the map there */
		for (uint32_t r = 0; r < p->nrefs; r++) {
			struct bpf_insn *in = &e->insns[i][p->refs[r].insn_index];
			in->src_reg = 0;
			in->imm = (int)p->refs[r].map_index == o->bss_map ? (int32_t)p->refs[r].value_offset : 0;
			in[1].imm = 0;
		}
		prog_scn[i] = new_section(elf, strtab_add(&e->shstr, o->sec_names[i]), SHT_PROGBITS,
					  SHF_ALLOC | SHF_EXECINSTR, e->insns[i],
					  sizeof(struct bpf_insn) * p->ninsns, 8);
		if (!prog_scn[i])
			goto out_scn;
		prog_sec[i] = (uint32_t)elf_ndxscn(prog_scn[i]);
	}
	static char license[] = "GPL";
	if (!new_section(elf, strtab_add(&e->shstr, "license"), SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
			 license, sizeof(license), 1))
		goto out_scn;
	e->maps = calloc(1, o->maps_size + 1);
	Elf_Scn *maps = e->maps ? new_section(elf, strtab_add(&e->shstr, ".maps"), SHT_PROGBITS,
					      SHF_ALLOC | SHF_WRITE, e->maps, o->maps_size, 8) : NULL;
	/* the data map as libbpf's global data: value references into it
	 * relocate as BPF_PSEUDO_MAP_VALUE, which a .maps map cannot */
	Elf_Scn *bss = o->bss_map < 0 ? NULL
		     : new_section(elf, strtab_add(&e->shstr, ".bss"), SHT_NOBITS, SHF_ALLOC | SHF_WRITE, NULL,
				   img->maps[o->bss_map].value_size, 8);
	if (o->bss_map >= 0 && !bss)
		goto out_scn;
	uint32_t btf_size;
	const void *btf_raw = btf__raw_data(o->btf, &btf_size);
	if (!maps || !btf_raw ||
	    !new_section(elf, strtab_add(&e->shstr, ".BTF"), SHT_PROGBITS, 0, (void *)btf_raw, btf_size, 4) ||
	    !new_section(elf, strtab_add(&e->shstr, ".BTF.ext"), SHT_PROGBITS, 0, o->ext.data, o->ext.len, 4))
		goto out_scn;
	/* the payload, after its header */
	put_bytes(&e->payload, EQ_OBJECT_MAGIC, EQ_OBJECT_MAGIC_LEN);
	put_u32(&e->payload, EQ_OBJECT_VERSION);
	put_u32(&e->payload, 0); /* the payload's length, set below */
	image_put(&e->payload, img, prog_sec, nparams, params);
	if (e->payload.failed)
		goto out_scn;
	uint32_t plen = (uint32_t)(e->payload.len - EQ_OBJECT_HEADER_LEN);
	unsigned char le[4] = {plen, plen >> 8, plen >> 16, plen >> 24};
	memcpy(e->payload.data + 12, le, 4);
	if (!new_section(elf, strtab_add(&e->shstr, EQ_OBJECT_SECTION), SHT_PROGBITS, 0, e->payload.data,
			 e->payload.len, 8))
		goto out_scn;
	/* symbols: the programs', then the maps' (all global) */
	uint32_t maps_ndx = (uint32_t)elf_ndxscn(maps);
	for (int i = 0; i < np; i++)
		e->syms[1 + i] = (Elf64_Sym){.st_name = strtab_add(&e->str, img->progs[i].name),
					     .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
					     .st_shndx = (uint16_t)prog_sec[i],
					     .st_size = sizeof(struct bpf_insn) * img->progs[i].ninsns};
	for (int i = 0; i < img->nmaps; i++) {
		bool in_bss = i == o->bss_map;
		e->syms[1 + np + i] = (Elf64_Sym){.st_name = strtab_add(&e->str, o->map_syms[i]),
						  .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
						  .st_shndx = (uint16_t)(in_bss ? elf_ndxscn(bss) : maps_ndx),
						  .st_value = in_bss ? 0 : o->map_offsets[i],
						  .st_size = in_bss ? img->maps[i].value_size : o->map_sizes[i]};
	}
	/* .symtab's index is known once the relocation sections are made:
	 * they come after it */
	Elf_Scn *symtab = new_section(elf, strtab_add(&e->shstr, ".symtab"), SHT_SYMTAB, 0, e->syms,
				      nsyms * sizeof(Elf64_Sym), 8);
	if (!symtab)
		goto out_scn;
	uint32_t symtab_ndx = (uint32_t)elf_ndxscn(symtab);
	for (int i = 0; i < np; i++) {
		const struct eq_prog *p = &img->progs[i];
		if (!p->nrefs)
			continue;
		e->rels[i] = calloc(p->nrefs, sizeof(Elf64_Rel));
		if (!e->rels[i])
			goto out_scn;
		for (uint32_t r = 0; r < p->nrefs; r++)
			e->rels[i][r] = (Elf64_Rel){
				.r_offset = (uint64_t)p->refs[r].insn_index * 8,
				.r_info = ELF64_R_INFO(1 + (uint64_t)np + p->refs[r].map_index, R_BPF_64_64)};
		char *name;
		if (asprintf(&name, ".rel%s", o->sec_names[i]) < 0)
			goto out_scn;
		Elf_Scn *rel = new_section(elf, strtab_add(&e->shstr, name), SHT_REL, SHF_INFO_LINK,
					   e->rels[i], p->nrefs * sizeof(Elf64_Rel), 8);
		free(name);
		if (!rel || !set_link(rel, symtab_ndx, prog_sec[i], sizeof(Elf64_Rel)))
			goto out_scn;
	}
	uint32_t strtab_name = strtab_add(&e->shstr, ".strtab");
	uint32_t shstrtab_name = strtab_add(&e->shstr, ".shstrtab");
	Elf_Scn *strtab = new_section(elf, strtab_name, SHT_STRTAB, 0, NULL, 0, 1);
	if (!strtab || e->str.b.failed || !set_link(symtab, (uint32_t)elf_ndxscn(strtab), 1, sizeof(Elf64_Sym)))
		goto out_scn;
	Elf_Scn *shstrtab = new_section(elf, shstrtab_name, SHT_STRTAB, 0, NULL, 0, 1);
	if (!shstrtab || e->shstr.b.failed)
		goto out_scn;
	/* the string tables' data last: adding names moved their buffers */
	elf_getdata(strtab, NULL)->d_buf = e->str.b.data;
	elf_getdata(strtab, NULL)->d_size = e->str.b.len;
	elf_getdata(shstrtab, NULL)->d_buf = e->shstr.b.data;
	elf_getdata(shstrtab, NULL)->d_size = e->shstr.b.len;
	eh.e_shstrndx = (uint16_t)elf_ndxscn(shstrtab);
	if (gelf_update_ehdr(elf, &eh) && elf_update(elf, ELF_C_WRITE) >= 0)
		rc = 0;
out_scn:
	free(prog_scn);
out_free:
	free(prog_sec);
out:
	elf_end(elf);
	return rc;
}

static void parts_free(struct elf_parts *e, int nprogs)
{
	for (int i = 0; e->insns && i < nprogs; i++)
		free(e->insns[i]);
	for (int i = 0; e->rels && i < nprogs; i++)
		free(e->rels[i]);
	free(e->insns);
	free(e->rels);
	free(e->syms);
	free(e->maps);
	free(e->payload.data);
	free(e->str.b.data);
	free(e->shstr.b.data);
}

/* The data map (EQ_MAP_DROPS) goes in .bss, as libbpf's global data, if the
 * programs only address its value (BPF_PSEUDO_MAP_VALUE): -1 otherwise. */
static int bss_map(const struct eq_image *img)
{
	int d = img->drops_map;
	if (d < 0 || img->maps[d].type != BPF_MAP_TYPE_ARRAY || img->maps[d].max_entries != 1 ||
	    img->maps[d].value_size % 4)
		return -1;
	for (int i = 0; i < img->nprogs; i++)
		for (uint32_t r = 0; r < img->progs[i].nrefs; r++)
			if ((int)img->progs[i].refs[r].map_index == d && !img->progs[i].refs[r].value)
				return -1;
	return d;
}

/* What cannot be run ahead of time, with why; NULL: all can. */
static const char *not_ahead_of_time(const struct eq_image *img, const char **probe)
{
	for (int i = 0; i < img->nprogs; i++) {
		const struct eq_prog *p = &img->progs[i];
		*probe = p->probe_name;
		if (p->attach == EQ_ATTACH_FENTRY || p->attach == EQ_ATTACH_FEXIT)
			return "an fentry/fexit program names its function by this kernel's BTF id, "
			       "which another kernel numbers differently";
	}
	return NULL;
}

int eq_object_write(const struct eq_image *img, const char *path, int nparams, const char *const *params,
		    FILE *err)
{
	const char *probe = NULL, *why = not_ahead_of_time(img, &probe);
	if (why) {
		fprintf(err, "ebpfq: --aot: cannot compile probe '%s' ahead of time: %s\n", probe, why);
		return -1;
	}
	struct obj o = {.img = img};
	o.map_syms = calloc((size_t)img->nmaps + 1, sizeof(char *));
	o.sec_names = calloc((size_t)img->nprogs + 1, sizeof(char *));
	o.map_offsets = calloc((size_t)img->nmaps + 1, sizeof(uint32_t));
	o.map_sizes = calloc((size_t)img->nmaps + 1, sizeof(uint32_t));
	o.bss_map = bss_map(img);
	int rc = o.map_syms && o.sec_names && o.map_offsets && o.map_sizes ? 0 : -ENOMEM;
	for (int i = 0; !rc && i < img->nmaps; i++)
		if (!(o.map_syms[i] = map_symbol(img, i)))
			rc = -ENOMEM;
	for (int i = 0; !rc && i < img->nprogs; i++)
		if (!(o.sec_names[i] = section_name(&img->progs[i])))
			rc = -ENOMEM;
	if (!rc)
		rc = btf_build(&o);
	if (!rc)
		rc = btf_ext_build(&o);
	struct elf_parts e = {0};
	int fd = -1;
	if (rc) {
		fprintf(err, "ebpfq: --aot: cannot build the BTF of '%s': %s\n", path, strerror(-rc));
	} else if (elf_version(EV_CURRENT) == EV_NONE ||
		   (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(err, "ebpfq: cannot write '%s': %s\n", path, strerror(errno));
		rc = -1;
	} else if (elf_write(&o, fd, &e, nparams, params)) {
		fprintf(err, "ebpfq: cannot write '%s': %s\n", path, elf_errno() ? elf_errmsg(-1) : strerror(errno));
		rc = -1;
	}
	if (fd >= 0 && close(fd) && !rc) {
		fprintf(err, "ebpfq: cannot write '%s': %s\n", path, strerror(errno));
		rc = -1;
	}
	if (rc && fd >= 0)
		unlink(path); /* no half-written object */
	parts_free(&e, img->nprogs);
	for (int i = 0; o.map_syms && i < img->nmaps; i++)
		free(o.map_syms[i]);
	for (int i = 0; o.sec_names && i < img->nprogs; i++)
		free(o.sec_names[i]);
	free(o.map_syms);
	free(o.sec_names);
	free(o.map_offsets);
	free(o.map_sizes);
	free(o.func_ids);
	free(o.ext.data);
	btf__free(o.btf);
	return rc ? -1 : 0;
}
