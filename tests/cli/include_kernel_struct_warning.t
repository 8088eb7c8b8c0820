setup: printf '// a header\n\nstruct list_head { int a; };\n' > kernel_twin.h && printf '#include "kernel_twin.h"\nBEGIN { printf("%%d\\n", sizeof(struct list_head)); exit(); }\n' > include_twin.ebq
args: -d bpf $TMP/include_twin.ebq
status: 0
