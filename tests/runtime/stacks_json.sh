# Stacks and symbols in -f json: strings holding the text (a map key's
# frames indented by 4, a value's by 8), as bpftrace 0.17 writes them;
# every line must be JSON (jq reads it).  Offsets into functions are N.
here=$(pwd)
cd "$WORK" || exit 1
prog='uprobe:./stackwork:c {
	@[ustack(3)] = count();
	print(ustack(2));
	printf("%s|\n", ksym(kaddr("vfs_read")));
	@s[1] = (usym(uaddr("b")), ustack(1));
}'
"$EBPFQ" -f json -c "./stackwork 1 2 300" -e "$prog" >"$WORK/json.out" || exit 1
jq -r -f "$here/json_lines.jq" "$WORK/json.out" | sed -E 's/\+[0-9]+/+N/g'
