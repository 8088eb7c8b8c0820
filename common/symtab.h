/* symtab.h - symbol tables, read by both the compiler and the runtime.
 *
 * The compiler finds addresses by name (uprobe:PATH:FUNC, uaddr("sym"),
 * kaddr("sym")); the runtime finds names by address (kstack, ustack, ksym,
 * usym).  Both read the same tables the same way, so this is the one piece
 * of code they share: common/ builds libebpfq-common.a, which both
 * libraries link.  It knows ELF files and /proc/kallsyms, nothing of BPF,
 * of the language or of the image (doc/HACKING.md, "Symbols").
 *
 * A table is sorted by address.  An ELF file's symbols cover [addr,
 * addr + size); the kernel's have no size, each runs up to the next.
 */
#ifndef EBPFQ_SYMTAB_H
#define EBPFQ_SYMTAB_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ELF files -------------------------------------------------------------- */

/* An ELF file opened for reading with libelf. */
struct elf_file {
	int fd;
	Elf *elf;
};

/* 0, or -errno (-ENOEXEC: not an ELF file). */
int elf_file_open(const char *path, struct elf_file *ef);
void elf_file_close(struct elf_file *ef);
/* The file offset of virtual address addr in a PT_LOAD segment (an
 * executable one, if exec_only).  0, or -ENOENT if no segment holds it. */
int elf_segment_offset(Elf *elf, uint64_t addr, bool exec_only, uint64_t *offset);

/* ---- symbol tables ------------------------------------------------------------ */

struct symtab_sym {
	uint64_t addr, size;
	uint32_t name;   /* offset in the table's names */
	uint8_t type;    /* ELF: STT_FUNC, STT_GNU_IFUNC, STT_OBJECT; kernel: 0 */
};

/* A PT_LOAD segment: file bytes [offset, offset + filesz) are mapped at
 * [vaddr, vaddr + memsz), plus the load bias of an ET_DYN file. */
struct symtab_seg {
	uint64_t vaddr, memsz, offset, filesz;
	bool exec;
};

struct symtab {
	struct symtab_sym *syms; /* by address; equal addresses in the order read */
	size_t count, cap;
	char *names;
	size_t names_len, names_cap;
	struct symtab_seg *segs;
	int nsegs;
	bool is_dyn;  /* ET_DYN (PIE, shared library): loaded at a bias */
	bool sized;   /* symbols cover [addr, addr + size); else up to the next */
};

enum symtab_flags {
	SYMTAB_FUNCS = 1,      /* functions only (what a uprobe attaches to); else objects too */
	SYMTAB_DEBUG_FILE = 2, /* a file without .symtab: the separate debug file's
	                          (/usr/lib/debug/.build-id/, .gnu_debuglink), as gdb finds it */
};

/* The defined, named symbols of .symtab (or the debug file's) and .dynsym,
 * and the PT_LOAD segments.  0, or -errno; free with symtab_free either way. */
int symtab_read_elf(const char *path, unsigned flags, struct symtab *st);
/* /proc/kallsyms: every symbol with an address (zeros mean we may not see
 * them: -EPERM).  0, or -errno. */
int symtab_read_kallsyms(struct symtab *st);
void symtab_free(struct symtab *st);

static inline const char *symtab_name(const struct symtab *st, const struct symtab_sym *s)
{
	return st->names + s->name;
}

/* The symbol holding addr (for a sized table, the first of the innermost
 * symbols covering it; else the nearest at or below it), or NULL. */
const struct symtab_sym *symtab_find_addr(const struct symtab *st, uint64_t addr);
/* The first symbol of this name (functions before objects), or NULL. */
const struct symtab_sym *symtab_find_name(const struct symtab *st, const char *name);
/* The virtual address (before any bias) of a file offset, through the
 * segments.  0, or -ENOENT. */
int symtab_offset_to_vaddr(const struct symtab *st, uint64_t offset, uint64_t *vaddr);

#endif
