# random_programs.awk - random well-typed ebq programs over what the
# compiler implements, one per file: FILE_PREFIX N.ebq for N in 1..COUNT.
# Used by random_programs.sh to check that what the compiler accepts, the
# kernel verifier accepts.  awk -v seed=S -v count=N -v prefix=DIR/p
function pick(n) { return int(rand() * n) }
function lit(   r) {
	r = pick(6)
	if (r == 0) return pick(10)
	if (r == 1) return "0x" sprintf("%x", pick(65536))
	if (r == 2) return "-" pick(1000)
	if (r == 3) return "9223372036854775807"
	if (r == 4) return "'a'"
	return pick(100000)
}
function int_leaf(   r, v) {
	r = pick(8)
	if (r == 0) return lit()
	if (r == 1) { split("pid tid uid gid nsecs elapsed cpu rand cgroup", v, " "); return v[1 + pick(9)] }
	if (r == 2 && nints > 0) return "$i" pick(nints)
	if (r == 3) return "@a"
	if (r == 4) return "@b[" int_expr(1) "]"
	if (r == 5 && kind == "openat") { split("args->flags args->dfd args->mode arg1", v, " "); return v[1 + pick(4)] }
	if (r == 6 && kind == "exit") return "retval"
	return lit()
}
function int_expr(d,   r, ops) {
	if (d >= 3) return int_leaf()
	r = pick(9)
	if (r <= 2) return int_leaf()
	if (r == 3) { split("+ - * / % & | ^ << >> == != < <= > >= && ||", ops, " ")
		return "(" int_expr(d + 1) " " ops[1 + pick(18)] " " int_expr(d + 1) ")" }
	if (r == 4) { split("- ! ~", ops, " "); return ops[1 + pick(3)] "(" int_expr(d + 1) ")" }
	if (r == 5) { split("u8 u16 u32 u64 s8 s16 s32 s64 int", ops, " "); return "(" ops[1 + pick(9)] ")(" int_expr(d + 1) ")" }
	if (r == 6) return "(" int_expr(d + 1) " ? " int_expr(d + 1) " : " int_expr(d + 1) ")"
	if (r == 7) return "(" str_expr(d + 1) (pick(2) ? " == " : " != ") str_expr(d + 1) ")"
	return int_leaf()
}
function str_expr(d,   r) {
	r = pick(6)
	if (r == 0) return "\"s" pick(1000) "\""
	if (r == 1 && nstrs > 0) return "$s" pick(nstrs)
	if (r == 2 && kind == "openat") return "str(args->filename)"
	if (r == 3) return "@e[" int_expr(d + 1) "]"
	if (r == 4 && d < 3) return "(" int_expr(d + 1) " ? " str_expr(d + 1) " : " str_expr(d + 1) ")"
	return "comm"
}
function stmt(d,   r, s) {
	r = pick(14)
	if (r == 0 && nints < 4) { s = int_expr(0); return "$i" nints++ " = " s }
	if (r == 1 && nstrs < 3) { s = str_expr(0); return "$s" nstrs++ " = " s }
	if (r == 2) return "@a = " int_expr(0)
	if (r == 3) return "@b[" int_expr(1) "] = " int_expr(0)
	if (r == 4) return "@c[" str_expr(1) "] = count()"
	if (r == 5) return "@d[" int_expr(1) ", " str_expr(1) "] = sum(" int_expr(1) ")"
	if (r == 6) return "@e[" int_expr(1) "] = " str_expr(0)
	if (r == 7) return "printf(\"%d %s %x\\n\", " int_expr(0) ", " str_expr(0) ", " int_expr(1) ")"
	if (r == 8) return pick(2) ? "print(" str_expr(0) ")" : "print(" int_expr(0) ")"
	if (r == 9 && d < 2) {
		s = "if (" int_expr(0) ") { " stmts(d + 1) " }"
		if (pick(2)) s = s " else { " stmts(d + 1) " }"
		return s
	}
	if (r == 10) return "delete(@b[" int_expr(1) "])"
	if (r == 11) return pick(2) ? "clear(@b)" : "print(@c)"
	if (r == 12) return "@n = count()"
	return "@a += " int_expr(1)
}
function stmts(d,   n, s, i) {
	n = 1 + pick(4); s = ""
	for (i = 0; i < n; i++) s = s stmt(d) "; "
	return s
}
function probe(   r, spec, filter) {
	nints = 0; nstrs = 0
	r = pick(5)
	if (r == 0) { spec = "BEGIN"; kind = "" }
	else if (r == 1) { spec = "END"; kind = "" }
	else if (r == 2) { spec = "tracepoint:syscalls:sys_enter_openat"; kind = "openat" }
	else if (r == 3) { spec = "kretprobe:sys_read"; kind = "exit" }
	else { spec = "tracepoint:syscalls:sys_enter_getppid"; kind = "" }
	filter = (spec != "BEGIN" && spec != "END" && pick(2)) ? " /(" int_expr(1) ")/" : ""
	return spec filter " { " stmts(0) "}\n"
}
BEGIN {
	srand(seed)
	for (p = 1; p <= count; p++) {
		file = prefix p ".ebq"
		# every map is assigned once with its types, so that reads type-check
		printf "BEGIN { @a = 1; @b[1] = 2; @e[1] = \"x\"; @c[\"x\"] = count(); @d[1, \"x\"] = sum(1); }\n" > file
		n = 1 + pick(3)
		for (k = 0; k < n; k++) printf "%s", probe() > file
		close(file)
	}
}
