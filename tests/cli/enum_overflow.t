args: -e 'enum e { A = 0x7fffffffffffffff, B }; BEGIN { print(B); }'
status: 2
