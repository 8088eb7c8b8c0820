args: -l 'software:*'
status: 0
stdout: software:page-faults:
