args: -c "$WORK/forker" -e 'software:page-faults:1 { @faults[comm] = count(); } software:cpu-clock:1000000 { @clock = count(); } software:context-switches:1 { @cs = count(); }'
