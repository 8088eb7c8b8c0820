/* test_file.h - what the test drivers share: reading a whole input file. */
#ifndef EBPFQ_TEST_FILE_H
#define EBPFQ_TEST_FILE_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (readers scan it with string functions),
 * in malloc'd memory, its length in *len if len is not NULL; NULL after
 * perror(). */
char *test_read_file(const char *path, size_t *len);

#endif
