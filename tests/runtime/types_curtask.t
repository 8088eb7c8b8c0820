run: cd $WORK && sh "$OLDPWD/types_curtask.sh" | awk '$1 == "shell" { shell = $2; next } NF > 0 { print ($2 == shell ? "parent ok" : "parent " $2 " not " shell), $1, $3, $4, $5 }'
exact: yes
