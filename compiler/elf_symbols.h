/* elf_symbols.h - what user probes need from an ELF file: where the binary
 * is, where its functions and USDT probes are (as file offsets, which is what
 * the kernel's uprobes take), read with libelf.
 *
 * The compiler resolves user probes itself, as it resolves tracepoints:
 * a wildcard becomes one program per function, and `func` is a constant.
 */
#ifndef EBPFQ_ELF_SYMBOLS_H
#define EBPFQ_ELF_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Find the file a uprobe's PATH means, the way a user expects:
 *   - a name with a '/' is a path (made absolute);
 *   - otherwise a program on $PATH;
 *   - otherwise a shared library by name, as the dynamic loader finds it
 *     (`libc`, `c`, `libc.so.6`): LD_LIBRARY_PATH, /etc/ld.so.cache, the
 *     default directories; only an ELF file of this machine's architecture.
 * Writes the absolute path to out; returns 0, or -errno. */
int elf_find_binary(const char *name, char *out, size_t out_size);

/* One function of a binary. */
struct elf_func {
	const char *name;
	uint64_t addr;   /* st_value: the virtual address */
	uint64_t size;
	uint64_t offset; /* file offset of addr: where the uprobe goes */
};

/* Called for each defined function matching the pattern, in name order;
 * return non-zero to stop.  The strings live only during the call. */
typedef int (*elf_func_cb)(const struct elf_func *fn, void *arg);

/* Every function symbol of .symtab and .dynsym whose name matches pattern
 * (cb may be NULL: only count them)
 * (fnmatch wildcards), each address once.  Returns how many matched, or
 * -errno if the file cannot be read as ELF. */
int elf_for_each_func(const char *path, const char *pattern, elf_func_cb cb, void *arg);

/* The file offset of a virtual address inside an executable segment.
 * Returns 0, or -ENOENT if no segment holds it. */
int elf_addr_to_offset(const char *path, uint64_t addr, uint64_t *offset);

/* The file offsets of the `ret` instructions that end a Go function (amd64),
 * found by the epilogue Go's compiler writes; at most max.  Returns how
 * many; 0 if none was recognised (a function without a frame). */
int elf_go_return_sites(const char *path, const struct elf_func *fn, uint64_t *offsets, int max);

/* One USDT probe, from a .note.stapsdt note. */
struct elf_usdt {
	const char *provider, *name;
	uint64_t offset;           /* file offset of the probe's nop */
	uint64_t semaphore_offset; /* file offset of its semaphore, 0 if none */
	const char *args;          /* argument specs: "-4@%edi 8@-16(%rbp) 4@$5" */
};

/* The strings live only during the call. */
typedef int (*elf_usdt_cb)(const struct elf_usdt *probe, void *arg);

/* Every USDT probe of the file.  Returns how many, or -errno. */
int elf_for_each_usdt(const char *path, elf_usdt_cb cb, void *arg);

#endif
