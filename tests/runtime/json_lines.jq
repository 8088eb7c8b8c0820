# json_lines.jq - ebpfq -f json output described one fact a line, so that an
# .expect checks every field of every object: the type, the path of names
# and keys, and a value or the key=value pairs of an object of plain values
# (a histogram row, statistics, a keyed map):
#   map @c=240000
#   stats @st hammer count=241000 average=87289 total=21036747000
#   hist @h[0] max=-1 count=60000
#   printf "text\n"
# jq -r fails, naming the line, on anything that is not JSON.
def key: if test("^[A-Za-z0-9_@,.-]+$") then . else tojson end;
def plain: type != "object" and type != "array";
def facts($path):
	if type == "object" and length > 0 and all(.[]; plain) then
		"\($path) " + ([to_entries[] | "\(.key | key)=\(.value | tojson)"] | join(" "))
	elif type == "object" and length > 0 then
		to_entries[] as $e | $e.value | facts("\($path) \($e.key | key)")
	elif type == "array" and any(.[]; plain | not) then
		to_entries[] as $e | $e.value | facts("\($path)[\($e.key)]")
	else
		"\($path) \(tojson)"
	end;
.type as $t | .data | facts($t)
