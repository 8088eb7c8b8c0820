/* elf_symbols.c - binaries, functions and USDT notes for user probes; see
 * elf_symbols.h. */
#include "elf_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symtab.h"

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#else
#define NATIVE_MACHINE EM_NONE /* any */
#endif

/* ---- finding the file ------------------------------------------------------ */

/* A regular ELF file of this machine's architecture (a libc.so that is a
 * linker script, or a 32-bit library, is not what the loader would map). */
static bool is_native_elf(const char *path)
{
	unsigned char hdr[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, ELFMAG, SELFMAG))
		return false;
	unsigned machine = hdr[EI_DATA] == ELFDATA2MSB ? (unsigned)(hdr[18] << 8 | hdr[19])
						       : (unsigned)(hdr[19] << 8 | hdr[18]);
	return NATIVE_MACHINE == EM_NONE || machine == NATIVE_MACHINE;
}

static int absolute(const char *path, char *out, size_t out_size)
{
	char buf[PATH_MAX];
	if (!realpath(path, buf))
		return -errno;
	if (strlen(buf) >= out_size)
		return -ENAMETOOLONG;
	strcpy(out, buf);
	return 0;
}

/* Does a library file name (a soname: "libc.so.6") answer to `stem`
 * ("libc": libc.so or libc.so.N; "libc.so.6": exactly that)? */
static bool soname_matches(const char *soname, const char *stem)
{
	size_t n = strlen(stem);
	if (strstr(stem, ".so"))
		return !strcmp(soname, stem);
	return !strncmp(soname, stem, n) && !strncmp(soname + n, ".so", 3) &&
	       (soname[n + 3] == 0 || soname[n + 3] == '.');
}

/* Look the library up in /etc/ld.so.cache (glibc's "new" format, the only
 * one since 2.32): a header, then entries of {flags, key, value, osversion,
 * hwcap} whose key (soname) and value (path) are offsets into the file. */
static int find_in_ld_cache(const char *stem, char *out, size_t out_size)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	enum { HEADER = 48, ENTRY = 24 };
	int fd = open("/etc/ld.so.cache", O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || st.st_size < HEADER) {
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	size_t size = (size_t)st.st_size;
	const char *cache = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (cache == MAP_FAILED)
		return -ENOENT;
	int rc = -ENOENT;
	uint32_t nlibs;
	memcpy(&nlibs, cache + 20, 4);
	if (!memcmp(cache, magic, sizeof(magic) - 1) && nlibs <= (size - HEADER) / ENTRY) {
		for (uint32_t i = 0; i < nlibs && rc; i++) {
			uint32_t key, value;
			memcpy(&key, cache + HEADER + i * ENTRY + 4, 4);
			memcpy(&value, cache + HEADER + i * ENTRY + 8, 4);
			if (key >= size || value >= size || !memchr(cache + key, 0, size - key) ||
			    !memchr(cache + value, 0, size - value))
				continue;
			if (soname_matches(cache + key, stem) && is_native_elf(cache + value))
				rc = absolute(cache + value, out, out_size);
		}
	}
	munmap((void *)cache, size);
	return rc;
}

/* Search a ':'-separated list of directories for `file` (a program, when
 * want_exec) or for a library answering to `stem`. */
static int find_in_dirs(const char *dirs, const char *file, bool want_exec, char *out, size_t out_size)
{
	char *copy = strdup(dirs), *save = NULL;
	int rc = -ENOENT;
	for (char *d = strtok_r(copy, ":", &save); d && rc; d = strtok_r(NULL, ":", &save)) {
		char path[PATH_MAX];
		if (want_exec) {
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", d, file);
			if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
				rc = absolute(path, out, out_size);
			continue;
		}
		/* a library: the highest-versioned native libSTEM.so* of the directory */
		snprintf(path, sizeof(path), "%s/%s", d, file);
		if (strstr(file, ".so") && is_native_elf(path)) {
			rc = absolute(path, out, out_size);
			continue;
		}
		for (int v = 9; v >= 0 && rc; v--) {
			snprintf(path, sizeof(path), "%s/%s.so.%d", d, file, v);
			if (is_native_elf(path))
				rc = absolute(path, out, out_size);
		}
		snprintf(path, sizeof(path), "%s/%s.so", d, file);
		if (rc && is_native_elf(path))
			rc = absolute(path, out, out_size);
	}
	free(copy);
	return rc;
}

int elf_find_binary(const char *name, char *out, size_t out_size)
{
	if (!*name)
		return -ENOENT;
	if (strchr(name, '/'))
		return access(name, R_OK) ? -errno : absolute(name, out, out_size);
	const char *path = getenv("PATH");
	if (!find_in_dirs(path ? path : "/usr/local/bin:/usr/bin:/bin", name, true, out, out_size))
		return 0;
	char stem[256];
	snprintf(stem, sizeof(stem), "%s%s", strncmp(name, "lib", 3) ? "lib" : "", name);
	const char *ld_path = getenv("LD_LIBRARY_PATH");
	if (ld_path && *ld_path && !find_in_dirs(ld_path, stem, false, out, out_size))
		return 0;
	if (!find_in_ld_cache(stem, out, out_size))
		return 0;
	return find_in_dirs("/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu:"
			    "/usr/lib/aarch64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib",
			    stem, false, out, out_size);
}

/* ---- functions ------------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct elf_func *)a)->name, ((const struct elf_func *)b)->name);
}

/* One probe per address: where aliases (malloc, __libc_malloc) both match,
 * the first the file names (.symtab before .dynsym) stands for the
 * function.  Called in name order. */
int elf_for_each_func(const char *path, const char *pattern, elf_func_cb cb, void *arg)
{
	struct symtab st;
	int rc = symtab_read_elf(path, SYMTAB_FUNCS, &st);
	if (rc) {
		symtab_free(&st);
		return rc;
	}
	struct elf_func *funcs = calloc(st.count + 1, sizeof(*funcs));
	struct elf_file ef;
	size_t kept = 0;
	bool exact = !strpbrk(pattern, "*?[");
	if (funcs && !elf_file_open(path, &ef)) {
		for (size_t i = 0; i < st.count; i++) {
			const struct symtab_sym *s = &st.syms[i];
			const char *name = symtab_name(&st, s);
			if ((kept && funcs[kept - 1].addr == s->addr) ||
			    (exact ? strcmp(name, pattern) : fnmatch(pattern, name, 0)))
				continue;
			struct elf_func *fn = &funcs[kept];
			*fn = (struct elf_func){.name = name, .addr = s->addr, .size = s->size};
			if (!elf_segment_offset(ef.elf, s->addr, true, &fn->offset))
				kept++;
		}
		elf_file_close(&ef);
	}
	if (kept)
		qsort(funcs, kept, sizeof(*funcs), by_name);
	for (size_t i = 0; i < kept; i++)
		if (cb && cb(&funcs[i], arg))
			break;
	free(funcs);
	symtab_free(&st);
	return funcs ? (int)kept : -ENOMEM;
}

int elf_addr_to_offset(const char *path, uint64_t addr, uint64_t *offset)
{
	struct elf_file ef;
	int rc = elf_file_open(path, &ef);
	if (rc)
		return rc;
	rc = elf_segment_offset(ef.elf, addr, true, offset);
	elf_file_close(&ef);
	return rc;
}

/* ---- USDT ------------------------------------------------------------------- */

enum { NT_STAPSDT = 3 };

int elf_for_each_usdt(const char *path, elf_usdt_cb cb, void *arg)
{
	struct elf_file ef;
	int rc = elf_file_open(path, &ef);
	if (rc)
		return rc;
	size_t shstrndx;
	Elf_Scn *scn = NULL, *notes = NULL;
	uint64_t base_addr = 0;
	bool have_base = false;
	if (elf_getshdrstrndx(ef.elf, &shstrndx)) {
		elf_file_close(&ef);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(ef.elf, scn))) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(ef.elf, shstrndx, sh.sh_name) : NULL;
		if (name && !strcmp(name, ".note.stapsdt") && sh.sh_type == SHT_NOTE)
			notes = scn;
		if (name && !strcmp(name, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			have_base = true;
		}
	}
	int count = 0;
	Elf_Data *data = notes ? elf_getdata(notes, NULL) : NULL;
	size_t word = gelf_getclass(ef.elf) == ELFCLASS32 ? 4 : 8;
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;
	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *desc = (const char *)data->d_buf + desc_off;
		if (nh.n_type != NT_STAPSDT || nh.n_descsz < 3 * word + 3 ||
		    strcmp((const char *)data->d_buf + name_off, "stapsdt"))
			continue;
		uint64_t pc = 0, note_base = 0, sema = 0;
		memcpy(&pc, desc, word);
		memcpy(&note_base, desc + word, word);
		memcpy(&sema, desc + 2 * word, word);
		/* prelink may have moved the file: .stapsdt.base says by how much */
		if (have_base) {
			pc += base_addr - note_base;
			if (sema)
				sema += base_addr - note_base;
		}
		const char *end = desc + nh.n_descsz, *provider = desc + 3 * word;
		const char *name = memchr(provider, 0, (size_t)(end - provider));
		const char *args = name ? memchr(name + 1, 0, (size_t)(end - name - 1)) : NULL;
		if (!args)
			continue;
		struct elf_usdt u = {.provider = provider, .name = name + 1, .args = args + 1};
		if (!memchr(u.args, 0, (size_t)(end - u.args)))
			u.args = "";
		if (elf_segment_offset(ef.elf, pc, true, &u.offset) ||
		    (sema && elf_segment_offset(ef.elf, sema, false, &u.semaphore_offset)))
			continue;
		count++;
		if (cb(&u, arg))
			break;
	}
	elf_file_close(&ef);
	return count;
}

/* ---- Go return sites ---------------------------------------------------------- */

/* Go's amd64 compiler ends a function with a frame by restoring BP, popping
 * the frame and returning:
 *     mov OFF(%rsp),%rbp   48 8b 6c 24 XX  |  48 8b ac 24 XX XX XX XX
 *     add $N,%rsp          48 83 c4 XX     |  48 81 c4 XX XX XX XX
 *     ret                  c3
 * Ten or more bytes in that order do not occur by chance inside other
 * instructions, so finding them needs no disassembler. */
static bool go_epilogue_before(const unsigned char *code, size_t at)
{
	if (at >= 5 && code[at - 5] == 0x48 && code[at - 4] == 0x8b && code[at - 3] == 0x6c &&
	    code[at - 2] == 0x24)
		return true;
	return at >= 8 && code[at - 8] == 0x48 && code[at - 7] == 0x8b && code[at - 6] == 0xac &&
	       code[at - 5] == 0x24;
}

int elf_go_return_sites(const char *path, const struct elf_func *fn, uint64_t *offsets, int max)
{
	if (!fn->size || fn->size > (1u << 20))
		return 0;
	unsigned char *code = malloc(fn->size);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int n = 0;
	if (code && fd >= 0 && pread(fd, code, fn->size, (off_t)fn->offset) == (ssize_t)fn->size) {
		for (size_t i = 0; i + 4 < fn->size && n < max; i++) {
			if (code[i] != 0x48 || code[i + 2] != 0xc4 || !go_epilogue_before(code, i))
				continue;
			size_t ret = code[i + 1] == 0x83 ? i + 4 : code[i + 1] == 0x81 ? i + 7 : 0;
			if (ret && ret < fn->size && code[ret] == 0xc3)
				offsets[n++] = fn->offset + ret;
		}
	}
	if (fd >= 0)
		close(fd);
	free(code);
	return n;
}
