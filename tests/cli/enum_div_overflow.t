args: -n -e 'enum e { X = (-9223372036854775807-1) / -1 }; BEGIN { print(X) }'
status: 2
