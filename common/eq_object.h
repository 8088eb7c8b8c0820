/* eq_object.h - the `--aot` object's own section: what compiler/object_write.c
 * writes and runtime/object_read.c reads back (doc/HACKING.md, "The object
 * format").
 *
 * A standard BPF ELF object (programs, BTF-defined maps in .maps, relocations,
 * .BTF, .BTF.ext) carries everything the kernel needs; the section
 * EQ_OBJECT_SECTION carries the rest of the eq_image (attach specs, outputs,
 * map print kinds and layouts, the script's lines), serialized field by field,
 * little endian:
 *
 *   header   char magic[8] = EQ_OBJECT_MAGIC, u32 version, u32 payload bytes
 *   payload  u32, u64: little endian; a string: u32 length + 1 (0 for none),
 *            then its bytes without the NUL; an array: u32 count, then its
 *            elements.  The order is object_write.c's image_put().
 *
 * Version rule: any change to the payload's fields or their meaning bumps
 * EQ_OBJECT_VERSION; a reader refuses every version but its own (objects are
 * rebuilt from their scripts, not migrated).
 */
#ifndef EBPFQ_EQ_OBJECT_H
#define EBPFQ_EQ_OBJECT_H

#define EQ_OBJECT_SECTION ".ebpfq"
#define EQ_OBJECT_MAGIC "EBPFQOBJ"
#define EQ_OBJECT_MAGIC_LEN 8
#define EQ_OBJECT_VERSION 2u
#define EQ_OBJECT_HEADER_LEN 16

/* A struct eq_field's nesting is bounded on read: a corrupt object cannot
 * recurse the reader's stack away. */
#define EQ_OBJECT_MAX_DEPTH 64
/* The most frames of a stack the runtime reads (runtime/symbolize.c's
 * buffer; the kernel's kernel.perf_event_max_stack is 127 by default). */
#define EQ_OBJECT_MAX_FRAMES 1024

#endif
