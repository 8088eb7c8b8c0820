# example_work.sh WHAT - small workloads for the lang-examples' cases
# (example_*.t): each does one thing a few times, the same way each run, so
# that its lines in the example's output are known.  Run with `sh`.
case $1 in
exec)	/bin/echo ebpfq-example one two >/dev/null ;;
open)	cat /etc/hostname /ebpfq-example-missing >/dev/null 2>&1 ;;
kill)	sleep 10 &
	kill -15 $!
	wait
	kill -0 $$
	kill -0 2147483647 2>/dev/null ;;	# above any pid_max: ESRCH
setuid)	setpriv --reuid=65534 true
	# not root any more, so the second setresuid is refused (EPERM)
	setpriv --reuid=65534 --regid=65534 --clear-groups setpriv --reuid=0 true 2>/dev/null
	su nobody -s /bin/true
	perl -e 'syscall(122, 0)' ;;		# setfsuid(0), x86-64's number
sync)	sync
	sync -f /
	sync -d /etc/hostname ;;
forks)	for i in 1 2 3 4 5; do /bin/true; done
	sleep 1.3 ;;				# past the example's 1-second interval
sleep)	sleep 0.25
	perl -e 'my $t = pack("qq", 0, 120000000); syscall(35, $t, 0)' ;;	# nanosleep(2), x86-64
stat)	stat /etc/hostname /ebpfq-example-missing >/dev/null 2>&1 ;;
bash)	printf 'echo ebpfq-example\nexit\n' | script -qc 'bash --norc -i' /dev/null >/dev/null 2>&1 ;;
*)	echo "example_work.sh: no workload $1" >&2; exit 2 ;;
esac
exit 0
