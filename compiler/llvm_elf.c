/* llvm_elf.c - the BPF object LLVM wrote, read back into an emit_result.
 *
 * The program and its subprograms are functions of one section (see
 * llvm_backend.c).  Their instructions are copied as they are, except:
 *   - ld_imm64 with src_reg BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE (the
 *     llvm.bpf.pseudo intrinsic) whose imm is a map's index in the image:
 *     a map reference, which the runtime patches with the map's fd;
 *   - ld_imm64 with a relocation against a function of the section (a
 *     callback's address): src_reg BPF_PSEUDO_FUNC and imm the offset from
 *     the next instruction to the function's first, as emit.c writes it.
 * Any other relocation (global data, a string LLVM put in .rodata, a call
 * to a function that is not there) is something the image cannot hold,
 * and is reported as what the llvm back end cannot compile.  The line info
 * comes from .BTF.ext, the stack depth from the code itself.
 */
#include "llvm_backend.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif

struct elf_reader {
	struct arena *arena;
	Elf *elf;
	size_t strndx;
	Elf_Scn *prog, *rel, *symtab;
	Elf_Scn *btf_ext;  /* .BTF.ext: the line info LLVM made of the debug locations */
	size_t prog_index;
	const char **error;
};

static int fail(struct elf_reader *r, const char *what)
{
	*r->error = arena_strdup(r->arena, what);
	return -1;
}

/* The program's section, its relocations and the symbol table; and no
 * other section with something the program would need at run time. */
static int find_sections(struct elf_reader *r, const char *section)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(r->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(r->elf, r->strndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, section)) {
			r->prog = scn;
			r->prog_index = elf_ndxscn(scn);
		} else if (sh.sh_type == SHT_SYMTAB) {
			r->symtab = scn;
		} else if (!strcmp(name, ".BTF.ext")) {
			r->btf_ext = scn;
		} else if ((sh.sh_flags & SHF_ALLOC) && sh.sh_size > 0 && sh.sh_type != SHT_REL) {
			*r->error = arena_printf(r->arena, "LLVM put data in section %s, which ebpfq's "
						 "programs cannot hold", name);
			return -1;
		}
	}
	if (!r->prog || !r->symtab)
		return fail(r, "LLVM's object has no program");
	scn = NULL;
	while ((scn = elf_nextscn(r->elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_REL && sh.sh_info == r->prog_index)
			r->rel = scn;
	}
	return 0;
}

static int symbol(struct elf_reader *r, size_t index, GElf_Sym *sym)
{
	Elf_Data *d = elf_getdata(r->symtab, NULL);
	return d && gelf_getsym(d, (int)index, sym) ? 0 : -1;
}

static const char *symbol_name(struct elf_reader *r, const GElf_Sym *sym)
{
	GElf_Shdr sh;
	gelf_getshdr(r->symtab, &sh);
	const char *name = elf_strptr(r->elf, sh.sh_link, sym->st_name);
	return name ? name : "?";
}

/* A function's first instruction, by its symbol; -1 if not in the section. */
static long function_start(struct elf_reader *r, const char *name)
{
	Elf_Data *d = elf_getdata(r->symtab, NULL);
	GElf_Shdr sh;
	gelf_getshdr(r->symtab, &sh);
	size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx != r->prog_index ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		const char *s = elf_strptr(r->elf, sh.sh_link, sym.st_name);
		if (s && !strcmp(s, name))
			return (long)(sym.st_value / sizeof(struct bpf_insn));
	}
	return -1;
}

/* Callbacks' addresses: each relocated ld_imm64 becomes a BPF_PSEUDO_FUNC. */
static int resolve_relocations(struct elf_reader *r, struct bpf_insn *insns, uint32_t n)
{
	if (!r->rel)
		return 0;
	GElf_Shdr sh;
	gelf_getshdr(r->rel, &sh);
	Elf_Data *d = elf_getdata(r->rel, NULL);
	size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 0; i < count; i++) {
		GElf_Rel rel;
		GElf_Sym sym;
		if (!gelf_getrel(d, (int)i, &rel) || symbol(r, GELF_R_SYM(rel.r_info), &sym))
			return fail(r, "LLVM's object has a relocation ebpfq cannot read");
		uint32_t at = (uint32_t)(rel.r_offset / sizeof(struct bpf_insn));
		bool ld_imm64 = at + 1 < n && insns[at].code == (BPF_LD | BPF_DW | BPF_IMM);
		if (GELF_R_TYPE(rel.r_info) != R_BPF_64_64 || !ld_imm64 || sym.st_shndx != r->prog_index) {
			*r->error = arena_printf(r->arena, "LLVM's code refers to %s, which is not part "
						 "of the program", symbol_name(r, &sym));
			return -1;
		}
		/* REL: the addend is in the instruction */
		uint64_t target = sym.st_value + (uint32_t)insns[at].imm;
		long to = (long)(target / sizeof(struct bpf_insn));
		insns[at].src_reg = BPF_PSEUDO_FUNC;
		insns[at].imm = (int32_t)(to - (long)at - 1);
		insns[at + 1].imm = 0;
	}
	return 0;
}

/* The deepest stack byte the code touches, from the frame pointer: the
 * offsets of loads and stores through r10, and of `rX = r10; rX += OFF`,
 * the address of a slot passed to a helper.  Returns a negative number of
 * bytes (0: none). */
static int64_t deepest_stack(const struct bpf_insn *insns, uint32_t n)
{
	int64_t deepest = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = BPF_CLASS(in->code);
		int64_t off = 0;
		if ((cls == BPF_LDX && in->src_reg == BPF_REG_10) ||
		    ((cls == BPF_STX || cls == BPF_ST) && in->dst_reg == BPF_REG_10))
			off = in->off;
		else if (i > 0 && in->code == (BPF_ALU64 | BPF_ADD | BPF_K) &&
			 insns[i - 1].code == (BPF_ALU64 | BPF_MOV | BPF_X) &&
			 insns[i - 1].src_reg == BPF_REG_10 && insns[i - 1].dst_reg == in->dst_reg)
			off = in->imm;
		if (off < deepest)
			deepest = off;
	}
	return deepest;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The line info of .BTF.ext (the kernel's format: after a header, a
 * record size, then for each code section its name, a count and records
 * {insn_off in bytes, file name, line text, line << 10 | column}): every
 * instruction's script line as far as LLVM kept it.  Only the program's
 * section has code, so every record is its.  Appended to out->lines in
 * instruction order, a line only where it changes; line 0 (code LLVM made
 * of several lines) is left to the line before it. */
static void read_lines(struct elf_reader *r, struct emit_result *out, uint32_t cap)
{
	Elf_Data *d = r->btf_ext ? elf_getdata(r->btf_ext, NULL) : NULL;
	if (!d || d->d_size < 24)
		return;
	const uint8_t *p = d->d_buf;
	uint32_t hdr_len, line_off, line_len, rec_size;
	memcpy(&hdr_len, p + 4, 4);
	memcpy(&line_off, p + 16, 4);
	memcpy(&line_len, p + 20, 4);
	if (*(const uint16_t *)p != 0xeB9F || (uint64_t)hdr_len + line_off + line_len > d->d_size || line_len < 4)
		return;
	const uint8_t *at = p + hdr_len + line_off, *end = at + line_len;
	memcpy(&rec_size, at, 4);
	at += 4;
	if (rec_size < 16)
		return;
	while (at + 8 <= end) {
		uint32_t count;
		memcpy(&count, at + 4, 4);
		at += 8;
		for (uint32_t i = 0; i < count && at + rec_size <= end; i++, at += rec_size) {
			uint32_t insn_off, line_col;
			memcpy(&insn_off, at, 4);
			memcpy(&line_col, at + 12, 4);
			struct emit_line l = {insn_off / sizeof(struct bpf_insn), (int)(line_col >> 10),
					      (int)(line_col & 0x3ff)};
			struct emit_line *last = out->nlines ? &out->lines[out->nlines - 1] : NULL;
			if (!l.line || l.insn_off >= out->ninsns || out->nlines >= cap ||
			    (last && (last->insn_off >= l.insn_off ||
				      (last->line == l.line && last->col == l.col))))
				continue;
			out->lines[out->nlines++] = l;
		}
	}
}

static int compare_lines(const void *a, const void *b)
{
	uint32_t x = ((const struct emit_line *)a)->insn_off, y = ((const struct emit_line *)b)->insn_off;
	return x < y ? -1 : x > y;
}

/* Map references, function starts and line info. */
static int describe(struct elf_reader *r, const struct llvm_elf_in *in, struct emit_result *out)
{
	struct arena *a = r->arena;
	out->refs = ARENA_ARRAY(a, struct emit_map_ref, out->ninsns + 1);
	out->nrefs = 0;
	for (uint32_t i = 0; i + 1 < out->ninsns; i++) {
		struct bpf_insn *insn = &out->insns[i];
		if (insn->code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE)
			out->refs[out->nrefs++] = (struct emit_map_ref){
				i, (uint32_t)insn->imm, insn->src_reg == BPF_PSEUDO_MAP_VALUE,
				(uint32_t)insn[1].imm};
		i++; /* its second half */
	}
	out->func_starts = ARENA_ARRAY(a, uint32_t, in->nsubs + 1);
	uint32_t cap = out->ninsns + (uint32_t)in->nsubs + 2;
	out->lines = ARENA_ARRAY(a, struct emit_line, cap);
	out->nfuncs = 0;
	out->nlines = 0;
	long main_start = function_start(r, in->main_name);
	if (main_start != 0)
		return fail(r, "LLVM did not put the program first in its section");
	read_lines(r, out, cap - (uint32_t)in->nsubs - 1);
	/* the kernel wants a line at each function's first instruction */
	bool *has_line = ARENA_ARRAY(a, bool, out->ninsns + 1);
	for (uint32_t i = 0; i < out->nlines; i++)
		has_line[out->lines[i].insn_off] = true;
	if (in->main_loc.line && !has_line[0])
		out->lines[out->nlines++] = (struct emit_line){0, in->main_loc.line, in->main_loc.col};
	struct { uint32_t start; int sub; } starts[in->nsubs + 1];
	int nstarts = 0;
	for (int k = 0; k < in->nsubs; k++) {
		long s = function_start(r, in->sub_names[k]);
		if (s > 0)
			starts[nstarts++] = (typeof(starts[0])){(uint32_t)s, k};
	}
	qsort(starts, (size_t)nstarts, sizeof starts[0], compare_u32); /* start is the first member */
	for (int i = 0; i < nstarts; i++) {
		out->func_starts[out->nfuncs++] = starts[i].start;
		eq_loc l = in->sub_locs[starts[i].sub];
		if (l.line && !has_line[starts[i].start])
			out->lines[out->nlines++] = (struct emit_line){starts[i].start, l.line, l.col};
	}
	qsort(out->lines, out->nlines, sizeof *out->lines, compare_lines);
	return 0;
}

int llvm_elf_read(struct arena *a, const struct llvm_elf_in *in, struct emit_result *out,
		  const char **error)
{
	*out = (struct emit_result){0};
	struct elf_reader r = {.arena = a, .error = error};
	elf_version(EV_CURRENT);
	r.elf = elf_memory((char *)in->object, in->size);
	if (!r.elf || elf_getshdrstrndx(r.elf, &r.strndx))
		return fail(&r, "LLVM's object is not an ELF file ebpfq can read");
	int rc = find_sections(&r, in->section);
	if (!rc) {
		Elf_Data *d = elf_getdata(r.prog, NULL);
		out->ninsns = d ? (uint32_t)(d->d_size / sizeof(struct bpf_insn)) : 0;
		out->insns = ARENA_ARRAY(a, struct bpf_insn, out->ninsns + 1);
		if (out->ninsns)
			memcpy(out->insns, d->d_buf, out->ninsns * sizeof(struct bpf_insn));
		rc = resolve_relocations(&r, out->insns, out->ninsns);
	}
	int64_t deepest = out->insns ? deepest_stack(out->insns, out->ninsns) : 0;
	if (!rc && deepest < -512) {
		*error = arena_printf(a, "LLVM's code needs %lld bytes of stack (its register allocator "
				      "spills more than ebpfq's), more than the 512 BPF allows",
				      (long long)-deepest);
		rc = -1;
	}
	if (!rc)
		rc = describe(&r, in, out);
	elf_end(r.elf);
	return rc;
}
