/* libbpf_open.c - does libbpf read an `ebpfq --aot` object as a BPF object?
 * Opens it with bpf_object__open_file (no load: that needs the runtime's
 * own attachments) and prints each program's section and type and each
 * map's name, type and sizes, for tests/aot.sh to compare. */
#include <stdio.h>

#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: libbpf_open FILE.o\n");
		return 2;
	}
	libbpf_set_print(NULL);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "libbpf cannot open %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		printf("program %s section %s type %d insns %zu\n", bpf_program__name(p),
		       bpf_program__section_name(p), (int)bpf_program__type(p), bpf_program__insn_cnt(p));
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
		printf("map %s type %d key %u value %u entries %u\n", bpf_map__name(m), (int)bpf_map__type(m),
		       bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m));
	bpf_object__close(obj);
	return 0;
}
