#!/bin/sh
# output_file.sh - -o FILE: what the script prints goes to FILE, as text or
# JSON; stdout keeps only the traced command's own output, stderr ebpfq's
# messages (a full map's, a compile error's).  A FILE that cannot be opened
# or written (/dev/full) is exit status 1 and a message, and so is a full
# stdout.  A script that does not compile creates no file and leaves an
# existing one as it was.
cd "$WORK" || exit 1
# run NAME ARGS...: ebpfq ARGS; its status, stdout and stderr, each line
# tagged with NAME
run() {
	_name=$1
	shift
	timeout -s KILL 30 "$EBPFQ" "$@" >"$_name.stdout" 2>"$_name.stderr"
	echo "$_name: status $?"
	sed "s/^/$_name stdout: /" "$_name.stdout"
	sed "s/^/$_name stderr: /" "$_name.stderr"
}
script='uprobe:./aggwork:f { printf("f %d\n", arg0); @[arg0] = count(); } END { print(@, 2); }'
rm -f out.txt out.json absent.txt
run text -o out.txt -c "./aggwork -e child 3 1 2 3" -e "$script"
sed 's/^/text file: /' out.txt
run json -o out.json -f json -c "./aggwork -e child 3 1 2 3" -e "$script"
sed 's/^/json file: /' out.json
run full_map -q -o full.txt -c "./aggwork 5000" -e 'uprobe:./aggwork:f { @[arg0] = count(); @n = count(); }'
echo "full_map file: $(grep -c '^@\[.*\]: 1$' full.txt) keys, $(grep '^@n: ' full.txt)"
run no_dir -o no/such/dir/out.txt -e 'BEGIN { exit() }'
run dev_full -o /dev/full -e 'BEGIN { printf("x\n"); exit() }'
"$EBPFQ" -e 'BEGIN { printf("x\n"); exit() }' >/dev/full 2>stdout_full.stderr
echo "stdout_full: status $?"
sed 's/^/stdout_full stderr: /' stdout_full.stderr
echo kept >kept.txt
run compile_error -o kept.txt -e 'BEGIN { printf("%d\n", "x"); exit() }'
sed 's/^/kept file: /' kept.txt
run compile_error_new -o absent.txt -e 'BEGIN { exit( }'
[ -e absent.txt ] && echo "absent.txt: created" || echo "absent.txt: not created"
