run: cd $WORK && $EBPFQ -c "./usertarget 3" -e 'usdt:./usertarget:tick { @ticks = count(); }'
