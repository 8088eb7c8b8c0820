/* tests/aot/btf_shift.c - this kernel's BTF with one struct laid out as
 * another kernel might: every member SHIFT bytes further on, the struct as
 * much bigger.  tests/aot.sh compiles an --aot object against it
 * (EBPFQ_BTF) and runs the object here, where only its CO-RE relocations
 * can find the members where this kernel has them.
 *   btf_shift STRUCT SHIFT OUT.btf
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: btf_shift STRUCT SHIFT OUT.btf\n");
		return 2;
	}
	struct btf *btf = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	int id = btf ? btf__find_by_name_kind(btf, argv[1], BTF_KIND_STRUCT) : -1;
	if (id <= 0) {
		fprintf(stderr, "btf_shift: no struct %s in /sys/kernel/btf/vmlinux\n", argv[1]);
		return 1;
	}
	unsigned shift = (unsigned)atoi(argv[2]);
	/* the parsed types are the raw data's bytes, which btf__raw_data returns */
	struct btf_type *t = (struct btf_type *)btf__type_by_id(btf, (unsigned)id);
	t->size += shift;
	struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		m[i].offset += shift * 8; /* a bit offset, in the low 24 bits when kflag is set */
	unsigned size;
	const void *raw = btf__raw_data(btf, &size);
	FILE *out = fopen(argv[3], "wb");
	if (!raw || !out || fwrite(raw, 1, size, out) != size || fclose(out)) {
		perror(argv[3]);
		return 1;
	}
	btf__free(btf);
	return 0;
}
