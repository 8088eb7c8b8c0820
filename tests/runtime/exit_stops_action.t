args: -e 'interval:ms:100 { @++; exit(); @++ }'
exact: yes
