run: cd $WORK && $EBPFQ -f json -c ./structwork "$OLDPWD/types_user_values.ebq" | tee json.out && jq -c . json.out >/dev/null && echo "valid JSON"
exact: yes
