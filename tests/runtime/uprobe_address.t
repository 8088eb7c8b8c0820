run: a=0x$(nm $WORK/usertarget | awk '$3 == "square" { print $1 }'); $EBPFQ -c "$WORK/usertarget 3" -e "uprobe:$WORK/usertarget:$a { @sq = count(); }"
