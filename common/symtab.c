/* symtab.c - ELF and kernel symbol tables; see symtab.h. */
#include "symtab.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- ELF files -------------------------------------------------------------- */

int elf_file_open(const char *path, struct elf_file *ef)
{
	elf_version(EV_CURRENT);
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		return -errno;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF) {
		if (ef->elf)
			elf_end(ef->elf);
		close(ef->fd);
		return -ENOEXEC;
	}
	return 0;
}

void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);
	close(ef->fd);
}

int elf_segment_offset(Elf *elf, uint64_t addr, bool exec_only, uint64_t *offset)
{
	size_t n;
	if (elf_getphdrnum(elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (exec_only && !(ph.p_flags & PF_X))
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_memsz) {
			*offset = addr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- building a table ----------------------------------------------------------- */

static int add_name(struct symtab *st, const char *name, uint32_t *at)
{
	size_t len = strlen(name) + 1;
	if (st->names_len + len > st->names_cap) {
		size_t cap = st->names_cap ? st->names_cap * 2 : 64 * 1024;
		while (cap < st->names_len + len)
			cap *= 2;
		char *grown = realloc(st->names, cap);
		if (!grown)
			return -ENOMEM;
		st->names = grown;
		st->names_cap = cap;
	}
	memcpy(st->names + st->names_len, name, len);
	*at = (uint32_t)st->names_len;
	st->names_len += len;
	return 0;
}

static int add_sym(struct symtab *st, const char *name, uint64_t addr, uint64_t size, uint8_t type)
{
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024;
		struct symtab_sym *grown = realloc(st->syms, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		st->syms = grown;
		st->cap = cap;
	}
	struct symtab_sym *s = &st->syms[st->count];
	*s = (struct symtab_sym){.addr = addr, .size = size, .type = type};
	if (add_name(st, name, &s->name))
		return -ENOMEM;
	st->count++;
	return 0;
}

/* By address; equal addresses keep the order they were read in (the name
 * offsets grow with it), so .symtab's name for an address comes first. */
static int by_addr(const void *a, const void *b)
{
	const struct symtab_sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->name > y->name) - (x->name < y->name);
}

/* Sort, and drop a symbol that .dynsym repeats from .symtab (same address
 * and name). */
static void finish(struct symtab *st)
{
	if (st->count)
		qsort(st->syms, st->count, sizeof(*st->syms), by_addr);
	size_t kept = 0;
	for (size_t i = 0; i < st->count; i++) {
		bool repeat = false;
		for (size_t k = kept; k-- > 0 && st->syms[k].addr == st->syms[i].addr;)
			if (!strcmp(symtab_name(st, &st->syms[k]), symtab_name(st, &st->syms[i])))
				repeat = true;
		if (!repeat)
			st->syms[kept++] = st->syms[i];
	}
	st->count = kept;
}

void symtab_free(struct symtab *st)
{
	free(st->syms);
	free(st->names);
	free(st->segs);
	*st = (struct symtab){0};
}

/* ---- ELF symbols ------------------------------------------------------------------ */

static bool wanted_type(int type, unsigned flags)
{
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return true;
	return type == STT_OBJECT && !(flags & SYMTAB_FUNCS);
}

/* The defined symbols of the file's symbol tables of this type. */
static int read_symbols(Elf *elf, Elf64_Word sh_type, unsigned flags, struct symtab *st)
{
	Elf_Scn *scn = NULL;
	int found = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != sh_type || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = data ? sh.sh_size / sh.sh_entsize : 0;
		found = 1;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value ||
			    !wanted_type(GELF_ST_TYPE(sym.st_info), flags))
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (name && *name &&
			    add_sym(st, name, sym.st_value, sym.st_size, (uint8_t)GELF_ST_TYPE(sym.st_info)))
				return -ENOMEM;
		}
	}
	return found;
}

static int read_segments(Elf *elf, struct symtab *st)
{
	size_t n;
	GElf_Ehdr eh;
	if (elf_getphdrnum(elf, &n) || !gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	st->is_dyn = eh.e_type == ET_DYN;
	st->segs = calloc(n + 1, sizeof(*st->segs));
	if (!st->segs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			st->segs[st->nsegs++] = (struct symtab_seg){ph.p_vaddr, ph.p_memsz, ph.p_offset,
								    ph.p_filesz, (ph.p_flags & PF_X) != 0};
	}
	return 0;
}

/* The contents of the named section, or NULL. */
static Elf_Data *section_data(Elf *elf, const char *want)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
		if (name && !strcmp(name, want) && sh.sh_type != SHT_NOBITS)
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

/* Where the separate debug file of a stripped file is, as gdb looks:
 * /usr/lib/debug/.build-id/xx/yyyy.debug by the build id, then the
 * .gnu_debuglink name beside the file, in its .debug/, and under
 * /usr/lib/debug.  Returns 0 with the path, or -ENOENT. */
static int find_debug_file(Elf *elf, const char *path, char *out, size_t size)
{
	Elf_Data *note = section_data(elf, ".note.gnu.build-id");
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	if (note && gelf_getnote(note, 0, &nh, &name_off, &desc_off) && nh.n_type == NT_GNU_BUILD_ID &&
	    nh.n_descsz > 1 && nh.n_descsz <= 64) {
		const unsigned char *id = (const unsigned char *)note->d_buf + desc_off;
		int n = snprintf(out, size, "/usr/lib/debug/.build-id/%02x/", id[0]);
		for (size_t i = 1; i < nh.n_descsz && n > 0 && (size_t)n < size; i++)
			n += snprintf(out + n, size - (size_t)n, "%02x", id[i]);
		if (n > 0 && (size_t)n < size)
			snprintf(out + n, size - (size_t)n, ".debug");
		if (!access(out, R_OK))
			return 0;
	}
	Elf_Data *link = section_data(elf, ".gnu_debuglink");
	if (!link || !memchr(link->d_buf, 0, link->d_size))
		return -ENOENT;
	const char *file = link->d_buf, *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path) : 0;
	const char *const forms[] = {"%.*s/%s", "%.*s/.debug/%s", "/usr/lib/debug%.*s/%s"};
	for (int i = 0; i < 3; i++) {
		snprintf(out, size, forms[i], dir, path, file);
		if (strcmp(out, path) && !access(out, R_OK))
			return 0;
	}
	return -ENOENT;
}

int symtab_read_elf(const char *path, unsigned flags, struct symtab *st)
{
	struct elf_file ef;
	*st = (struct symtab){.sized = true};
	int rc = elf_file_open(path, &ef);
	if (rc)
		return rc;
	rc = read_segments(ef.elf, st);
	int has_symtab = rc ? rc : read_symbols(ef.elf, SHT_SYMTAB, flags, st);
	char debug[PATH_MAX];
	struct elf_file df;
	if (has_symtab == 0 && (flags & SYMTAB_DEBUG_FILE) &&
	    !find_debug_file(ef.elf, path, debug, sizeof(debug)) && !elf_file_open(debug, &df)) {
		has_symtab = read_symbols(df.elf, SHT_SYMTAB, flags, st);
		elf_file_close(&df);
	}
	if (has_symtab >= 0 && read_symbols(ef.elf, SHT_DYNSYM, flags, st) < 0)
		has_symtab = -ENOMEM;
	rc = has_symtab < 0 ? has_symtab : 0;
	elf_file_close(&ef);
	if (!rc)
		finish(st);
	return rc;
}

/* ---- the kernel's symbols ------------------------------------------------------------ */

int symtab_read_kallsyms(struct symtab *st)
{
	*st = (struct symtab){.sized = false};
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	static const size_t buf_size = 1 << 20; /* fewer reads of a slow file */
	char *buf = malloc(buf_size);
	if (buf)
		setvbuf(f, buf, _IOFBF, buf_size);
	char line[512];
	int rc = 0;
	bool any = false;
	while (!rc && fgets(line, sizeof(line), f)) {
		/* "ffffffff81000000 T _text" or "... t name\t[module]" */
		char *end, *name;
		uint64_t addr = strtoull(line, &end, 16);
		if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
			continue;
		name = end + 3;
		name[strcspn(name, "\t\n ")] = 0;
		any = true;
		if (addr && *name)
			rc = add_sym(st, name, addr, 0, 0);
	}
	fclose(f);
	free(buf);
	if (!rc && any && !st->count)
		rc = -EPERM; /* every address hidden (kptr_restrict) */
	if (!rc)
		finish(st);
	return rc;
}

/* ---- lookups -------------------------------------------------------------------------- */

/* The index of the first symbol with an address above addr. */
static size_t upper_bound(const struct symtab *st, uint64_t addr)
{
	size_t lo = 0, hi = st->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* How far back a lookup looks for a symbol that covers the address: nested
 * symbols (a function inside another's range) are rare and shallow. */
enum { NESTED_LOOKBACK = 64 };

const struct symtab_sym *symtab_find_addr(const struct symtab *st, uint64_t addr)
{
	size_t i = upper_bound(st, addr);
	if (!i)
		return NULL;
	if (!st->sized) { /* the first name of the nearest address */
		while (i > 1 && st->syms[i - 2].addr == st->syms[i - 1].addr)
			i--;
		return &st->syms[i - 1];
	}
	const struct symtab_sym *found = NULL;
	for (size_t k = i; k-- > 0 && i - k <= NESTED_LOOKBACK;) {
		const struct symtab_sym *s = &st->syms[k];
		if (found && s->addr != found->addr)
			break;
		if (addr < s->addr + s->size || (addr == s->addr && !s->size))
			found = s; /* keep going back: the first of equal addresses */
	}
	return found;
}

const struct symtab_sym *symtab_find_name(const struct symtab *st, const char *name)
{
	const struct symtab_sym *other = NULL;
	for (size_t i = 0; i < st->count; i++) {
		const struct symtab_sym *s = &st->syms[i];
		if (strcmp(symtab_name(st, s), name))
			continue;
		if (s->type != STT_OBJECT)
			return s;
		if (!other)
			other = s;
	}
	return other;
}

int symtab_offset_to_vaddr(const struct symtab *st, uint64_t offset, uint64_t *vaddr)
{
	for (int i = 0; i < st->nsegs; i++) {
		const struct symtab_seg *g = &st->segs[i];
		if (offset >= g->offset && offset < g->offset + g->filesz) {
			*vaddr = offset - g->offset + g->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}
